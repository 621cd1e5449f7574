"""Import a roster file from this machine: the same checks and the same
all-or-nothing import as the coordinators' page, in this process.

Whoever can run commands on the server is trusted, so without ``--as`` the
unit's scope is not checked and the first platform administrator is
recorded as the one who created the people.
"""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courses.models import Cohort, RosterImport
from courses.services import roster
from lms.core.models import OrgUnit, User


class Command(BaseCommand):
    help = (
        "Check a roster file (XLSX or CSV) and import it into a unit, all or "
        "nothing. Prints one line per row with problems and a summary; exits "
        "non-zero, writing nothing, when any row is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--unit", required=True, help="Code of the unit the people join."
        )
        parser.add_argument(
            "--cohort", type=int, help="Also add everyone to this cohort id."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            help="Act as this user (their scope is checked); default: the first "
            "platform administrator.",
        )

    def handle(
        self, *args, file, unit, cohort=None, dry_run=False, as_user=None, **options
    ):
        if not file.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": file})
        target = OrgUnit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(
                _("There is no unit with the code %(code)s.") % {"code": unit}
            )
        group = self._cohort(cohort)
        actor = self._actor(as_user)
        with open(file, "rb") as handle:
            try:
                report = roster.roster_check(
                    actor=actor if as_user else None,
                    source=handle,
                    unit=target,
                    cohort=group,
                )
            except (ValidationError, PermissionDenied) as refused:
                raise CommandError(_message(refused)) from refused
        self._print_report(report)
        counts = report["counts"]
        if counts["error"]:
            raise CommandError(
                _("%(count)s rows were refused; nothing was imported.")
                % {"count": counts["error"]}
            )
        if dry_run:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        if actor is None:
            raise CommandError(
                _(
                    "There is no platform administrator to record as the importer; "
                    "pass --as with a coordinator's username."
                )
            )
        self._import(file, actor=actor, unit=target, cohort=group)

    def _cohort(self, cohort_id: int | None) -> Cohort | None:
        if cohort_id is None:
            return None
        cohort = Cohort.objects.select_related("unit").filter(pk=cohort_id).first()
        if cohort is None:
            raise CommandError(_("There is no cohort %(id)s.") % {"id": cohort_id})
        return cohort

    def _actor(self, username: str | None) -> User | None:
        if username:
            actor = User.objects.filter(username=username, is_active=True).first()
            if actor is None:
                raise CommandError(
                    _("There is no active user %(username)s.") % {"username": username}
                )
            return actor
        return (
            User.objects.filter(is_superuser=True, is_active=True)
            .order_by("pk")
            .first()
        )

    def _print_report(self, report: dict) -> None:
        for row in report["rows"]:
            for key, label in (("problems", ""), ("warnings", _("warning"))):
                if not row[key]:
                    continue
                text = " ".join(item["message"] for item in row[key])
                if label:
                    text = f"({label}) {text}"
                self.stdout.write(
                    _("Row %(line)s: %(message)s")
                    % {"line": row["line"], "message": text}
                )
        self.stdout.write(_summary(report["counts"]))

    def _import(self, path: Path, *, actor: User, unit: OrgUnit, cohort) -> None:
        with open(path, "rb") as handle:
            try:
                item = roster.roster_preview(
                    actor=actor,
                    upload=File(handle, name=path.name),
                    filename=path.name,
                    unit=unit,
                    cohort=cohort,
                )
            except (ValidationError, PermissionDenied) as refused:
                raise CommandError(_message(refused)) from refused
        item = roster.roster_import_run(roster_import_id=item.pk)
        if item.status != RosterImport.Status.DONE:
            self._print_report(item.report)
            raise CommandError(item.report.get("message") or item.get_status_display())
        result = item.report.get("result", {})
        self.stdout.write(
            _(
                "Imported: %(created)s people created, %(added)s added to the "
                "cohort (import %(id)s)."
            )
            % {
                "created": result.get("created", 0),
                "added": result.get("added_to_cohort", 0),
                "id": item.pk,
            }
        )


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("You cannot import people into this unit.")


def _summary(counts: dict) -> str:
    return (
        _(
            "%(rows)s rows: %(new)s new, %(existing)s already registered, %(error)s "
            "refused, %(warning)s with warnings."
        )
        % counts
    )
