"""Print a person's progress in their certification tracks: the same
evaluation as the progress page, for support and scripts (``--json``).

Whoever can run commands on the server is trusted, so no scope is checked.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms.core.models import User
from supervision.models import Enrolment, Track
from supervision.selectors.certification import amount_text, evaluate


class Command(BaseCommand):
    help = (
        "Print every certification track USERNAME is enrolled in, with each "
        "requirement's have / need and what is missing (the progress page's "
        "evaluation). Exits non-zero for an unknown user or track, or when the "
        "person is not enrolled."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--track", help="Only the track with this code.")
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="Print one JSON document.",
        )

    def handle(self, *args, username, track=None, as_json=False, **options):
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(
                _("No user has the username %(username)s.") % {"username": username}
            )
        enrolments = self._enrolments(person, track)
        tracks = [self._track(person, enrolment) for enrolment in enrolments]
        if as_json:
            self.stdout.write(_dumps({"username": username, "tracks": tracks}))
        else:
            for row in tracks:
                self._print(row)

    def _enrolments(self, person, code):
        rows = (
            Enrolment.objects.filter(person=person)
            .exclude(status=Enrolment.Status.WITHDRAWN)
            .select_related("track", "version")
            .order_by("track__name", "pk")
        )
        if code:
            if not Track.objects.filter(code=code).exists():
                raise CommandError(
                    _("No track has the code %(code)s.") % {"code": code}
                )
            rows = rows.filter(track__code=code)
        rows = list(rows)
        if not rows:
            raise CommandError(
                _("%(person)s is not enrolled in any certification track.")
                % {"person": person.username}
                if not code
                else _("%(person)s is not enrolled in the track %(code)s.")
                % {"person": person.username, "code": code}
            )
        return rows

    def _track(self, person, enrolment) -> dict:
        results = evaluate(person, enrolment.version)
        return {
            "code": enrolment.track.code,
            "name": enrolment.track.name,
            "version": enrolment.version.number,
            "status": enrolment.status,
            "met": all(result.met for result in results),
            "requirements": [
                {
                    "title": result.requirement.title,
                    "kind": result.requirement.kind,
                    "have": amount_text(result.have),
                    "need": amount_text(result.need),
                    "met": result.met,
                    "percent": result.percent,
                    "missing": result.missing,
                    "records": [[label, pk] for label, pk in result.records],
                }
                for result in results
            ],
        }

    def _print(self, row: dict) -> None:
        status = Enrolment.Status(row["status"]).label
        self.stdout.write(f"{row['name']} ({row['code']}) v{row['version']} · {status}")
        for requirement in row["requirements"]:
            mark = "✓" if requirement["met"] else "✗"
            line = (
                f"  {mark} {requirement['title']}: "
                f"{requirement['have']} / {requirement['need']}"
            )
            if requirement["missing"]:
                line += f" — {requirement['missing']}"
            self.stdout.write(line)


def _dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
