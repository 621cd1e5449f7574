"""Roster import: check a file against the database, then import it all or
nothing.

``roster_preview`` stores the file and a row-by-row report and writes
nothing else.  ``roster_import_start`` runs a small file at once and
queues a large one (``courses.tasks.roster_import_task``);
``roster_import_run`` reads the file again, checks every row again (people
may have been registered since the preview) and, in one transaction,
creates the new people through ``people_create_bulk`` (audit rows,
invitation emails after commit) and adds everyone to the cohort.  A single refused row
refuses the whole file.

Matching: a row is an existing person when their email (any case) or staff
number is already registered.  An existing person is never changed: one in
another unit refuses the row (people are never moved silently), one in the
row's unit is only added to the cohort, and differences between the file
and the record are reported as warnings.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from django.core.cache import cache
from django.core.exceptions import (
    PermissionDenied,
    SuspiciousFileOperation,
    ValidationError,
)
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from courses import roster as roster_files
from courses.models import Cohort, CohortMember, RosterImport
from courses.roster import RosterRefused, RosterRow
from courses.roster_selectors import progress_key
from lms.core.models import OrgUnit, User
from lms.core.permissions import can_manage_unit
from lms.core.services import NewPerson, people_create_bulk

#: Files up to this many rows are imported in the request; larger ones by
#: a Celery task with a progress display.
MAX_IN_PROCESS_ROWS = 500
STORAGE_FOLDER = "roster-imports"
#: Keep a running import's progress in the cache at most this long.
PROGRESS_TIMEOUT = 6 * 3600
#: Values per ``IN (…)`` query; below SQLite's oldest limit of 999.
CHUNK = 900

_USERNAME_UNSAFE = re.compile(r"[^a-z0-9._+-]")


@dataclass
class _Planned:
    """What will happen to one row: its unit, the existing person it
    matches, or the username a new person will get."""

    row: RosterRow
    unit: OrgUnit | None = None
    person: User | None = None
    username: str = ""

    @property
    def action(self) -> str:
        if self.row.problems:
            return "error"
        return "existing" if self.person is not None else "new"


class _Refused(Exception):
    """The import cannot go ahead; ``message`` says why, ``report`` (if
    any) is the fresh row-by-row report."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.message = message
        self.report = report


# --- scope and files ------------------------------------------------------------


def _check_scope(*, actor: User | None, unit: OrgUnit, cohort: Cohort | None) -> None:
    """``actor=None`` is the command line, which is trusted."""
    if actor is None:
        return
    if not can_manage_unit(actor, unit):
        raise PermissionDenied(_("You cannot import people into this unit."))
    if cohort is not None and not can_manage_unit(actor, cohort.unit):
        raise PermissionDenied(_("You cannot add people to this cohort."))


def _safe_name(filename: str) -> str:
    try:
        name = get_valid_filename(Path(filename or "").name)
    except SuspiciousFileOperation:
        name = ""
    stem, suffix = Path(name).stem[:80], Path(name).suffix[:10]
    return f"{stem}{suffix}" if stem else f"roster{suffix}"


def _read(source) -> tuple[bytes, list[RosterRow]]:
    """The file's bytes (what gets stored is exactly what was checked) and
    its rows; a file that is no roster at all is a ``ValidationError``."""
    try:
        data = roster_files.load_bytes(source)
        return data, roster_files.read_roster(data)
    except RosterRefused as refused:
        raise ValidationError(refused.message, code="refused") from refused


def _chunks(values: Iterable, size: int = CHUNK) -> Iterator[list]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- checking against the database ------------------------------------------------


class _Lookup:
    """Units below the import's unit and the people the file may mean,
    fetched in bulk (a few queries for the whole file, none per row)."""

    def __init__(self, *, unit: OrgUnit, rows: list[RosterRow]):
        self.default_unit = unit
        self.by_code: dict[str, OrgUnit] = {}
        by_name: dict[str, list[OrgUnit]] = {}
        for item in OrgUnit.objects.filter(path__startswith=unit.path):
            self.by_code[item.code.casefold()] = item
            by_name.setdefault(item.name.casefold(), []).append(item)
        # A 单位 column holding names rather than codes: a name unique in
        # the subtree is as good as its code.
        self.by_name = {
            key: units[0] for key, units in by_name.items() if len(units) == 1
        }
        fields = [
            "pk",
            "username",
            "full_name",
            "email",
            "phone",
            "staff_number",
            "home_unit_id",
            "is_active",
            "is_superuser",
        ]
        self.by_email: dict[str, User] = {}
        emails = {row.email for row in rows if row.email}
        for chunk in _chunks(emails):
            people = (
                User.objects.annotate(email_key=Lower("email"))
                .filter(email_key__in=chunk)
                .only(*fields)
                .order_by("pk")
            )
            for person in people:
                self.by_email.setdefault(person.email_key, person)
        self.by_staff: dict[str, User] = {}
        numbers = {row.staff_number for row in rows if row.staff_number}
        for chunk in _chunks(numbers):
            for person in User.objects.filter(staff_number__in=chunk).only(*fields):
                self.by_staff[person.staff_number] = person

    def unit_for(self, code: str) -> OrgUnit | None:
        if not code:
            return self.default_unit
        key = code.casefold()
        return self.by_code.get(key) or self.by_name.get(key)


def _plan(rows: list[RosterRow], *, unit: OrgUnit) -> list[_Planned]:
    """Each row with its unit and the existing person it matches; problems
    and warnings that need the database are added to the rows."""
    lookup = _Lookup(unit=unit, rows=rows)
    planned = [_plan_row(row, lookup) for row in rows]
    _refuse_same_person_twice(planned)
    _assign_usernames([item for item in planned if item.action == "new"])
    return planned


def _plan_row(row: RosterRow, lookup: _Lookup) -> _Planned:
    item = _Planned(row=row, unit=lookup.unit_for(row.unit_code))
    if item.unit is None:
        row.refuse(
            "unknown_unit",
            _("There is no unit with the code %(code)s in %(unit)s.")
            % {"code": row.unit_code, "unit": lookup.default_unit.name},
        )
    elif not item.unit.is_active:
        row.refuse(
            "inactive_unit",
            _("The unit %(unit)s is no longer active.") % {"unit": item.unit.name},
        )
    by_email = lookup.by_email.get(row.email) if row.email else None
    by_staff = lookup.by_staff.get(row.staff_number) if row.staff_number else None
    if by_email and by_staff and by_email.pk != by_staff.pk:
        row.refuse(
            "conflict",
            _(
                "The email and the staff number belong to two different people "
                "who are already registered."
            ),
        )
        return item
    person = by_email or by_staff
    if person is None:
        if not row.email and row.ok:
            row.warn(
                "no_email",
                _("No email: the account is created, but no invitation can be sent."),
            )
        return item
    if item.unit is not None and person.home_unit_id != item.unit.pk:
        row.refuse(
            "other_unit",
            _(
                "This person is already registered in another unit and is not "
                "moved. Ask a coordinator of their unit to move them first."
            ),
        )
        return item
    item.person = person
    _warn_differences(row, person)
    return item


def _differences() -> dict[str, tuple[str, str]]:
    """Per field: the sentence when the record has another value, and the
    one when the record has none."""
    return {
        "phone": (
            _(
                "Already registered with the mobile number %(stored)s; the number "
                "in the file, %(given)s, is not saved."
            ),
            _("The record has no mobile number; the one in the file is not saved."),
        ),
        "email": (
            _(
                "Already registered with the email %(stored)s; the email in the "
                "file, %(given)s, is not saved."
            ),
            _("The record has no email; the one in the file is not saved."),
        ),
        "staff_number": (
            _(
                "Already registered with the staff number %(stored)s; the one in "
                "the file, %(given)s, is not saved."
            ),
            _("The record has no staff number; the one in the file is not saved."),
        ),
    }


def _warn_differences(row: RosterRow, person: User) -> None:
    """An existing person is never overwritten; say what the file would
    have changed."""
    if row.name and row.name != person.full_name:
        row.warn(
            "differs_name",
            _(
                "Already registered under the name %(stored)s; the name in the "
                "file, %(given)s, is not saved."
            )
            % {"stored": person.full_name or person.username, "given": row.name},
        )
    stored_values = {
        "phone": person.phone,
        "email": person.email.lower(),
        "staff_number": person.staff_number,
    }
    for field, (differs, missing) in _differences().items():
        given, stored = getattr(row, field), stored_values[field]
        if given and given != stored:
            message = differs if stored else missing
            row.warn(f"differs_{field}", message % {"stored": stored, "given": given})
    if not person.is_active:
        row.warn(
            "inactive",
            _(
                "This account is deactivated and stays so; it is only added to "
                "the cohort."
            ),
        )


def _refuse_same_person_twice(planned: list[_Planned]) -> None:
    first_line: dict[int, int] = {}
    for item in planned:
        if item.person is None:
            continue
        first = first_line.setdefault(item.person.pk, item.row.line)
        if first != item.row.line:
            item.row.refuse(
                "duplicate",
                _("Row %(line)s already refers to the same registered person.")
                % {"line": first},
            )
            item.person = None


def _username_base(row: RosterRow) -> str:
    local = row.email.split("@", 1)[0] if row.email else ""
    for candidate in (local, row.staff_number):
        base = _USERNAME_UNSAFE.sub("", candidate.lower()).strip(".+-")[:30]
        if base:
            return base
    return "u" + roster_files.row_fingerprint(row)


def _taken_usernames(names: set[str]) -> set[str]:
    taken: set[str] = set()
    for chunk in _chunks(names):
        taken.update(
            User.objects.annotate(key=Lower("username"))
            .filter(key__in=chunk)
            .values_list("key", flat=True)
        )
    return taken


def _assign_usernames(new: list[_Planned]) -> None:
    """Usernames from the email's local part (or the staff number), made
    unique in the file and in the database with a number; the same file and
    database give the same usernames."""
    bases = [_username_base(item.row) for item in new]
    asked = set(bases)
    taken = _taken_usernames(asked)
    while True:
        used: set[str] = set()
        for item, base in zip(new, bases, strict=True):
            candidate, number = base, 1
            while candidate in taken or candidate in used:
                number += 1
                candidate = f"{base}{number}"
            item.username = candidate
            used.add(candidate)
        unasked = used - asked
        asked |= unasked
        more = _taken_usernames(unasked)
        if not more:
            return
        taken |= more


def _report(planned: list[_Planned], *, cohort: Cohort | None) -> dict:
    rows = []
    counts = {"rows": len(planned), "new": 0, "existing": 0, "error": 0, "warning": 0}
    for item in planned:
        row, action = item.row, item.action
        counts[action] += 1
        counts["warning"] += bool(row.warnings)
        rows.append(
            {
                "line": row.line,
                "name": row.name,
                "unit": item.unit.name if item.unit else row.unit_code,
                "email": row.email,
                "staff_number": row.staff_number,
                "action": action,
                "username": item.username if action == "new" else "",
                "problems": [{"code": c, "message": m} for c, m in row.problems],
                "warnings": [{"code": c, "message": m} for c, m in row.warnings],
            }
        )
    return {
        "rows": rows,
        "counts": counts,
        "cohort": cohort.pk if cohort else None,
        "message": "",
    }


def roster_check(
    *,
    actor: User | None,
    source,
    unit: OrgUnit,
    cohort: Cohort | None = None,
) -> dict:
    """The row-by-row report for a roster file, writing nothing.

    ``actor=None`` means the command line (trusted: no scope check).  A
    coordinator must manage ``unit`` and the cohort's unit.  A file that is
    not a roster raises ``ValidationError``.
    """
    _check_scope(actor=actor, unit=unit, cohort=cohort)
    _data, rows = _read(source)
    return _report(_plan(rows, unit=unit), cohort=cohort)


def roster_preview(
    *,
    actor: User,
    upload: File,
    filename: str,
    unit: OrgUnit,
    cohort: Cohort | None = None,
) -> RosterImport:
    """Check a roster file and keep it with its report, ready to import.

    Permission: the actor manages ``unit`` (and the cohort's unit).  Writes
    the file under ``roster-imports/<uuid>/`` in the default storage and one
    ``RosterImport`` row (status previewed), nothing else.  A file that is
    no roster at all raises ``ValidationError`` and nothing is stored.
    """
    _check_scope(actor=actor, unit=unit, cohort=cohort)
    data, rows = _read(upload)
    report = _report(_plan(rows, unit=unit), cohort=cohort)
    stored = default_storage.save(
        f"{STORAGE_FOLDER}/{uuid4().hex}/{_safe_name(filename)}", ContentFile(data)
    )
    try:
        with transaction.atomic():
            return RosterImport.objects.create(
                unit=unit,
                cohort=cohort,
                file_name=Path(filename or "").name[:255] or "roster",
                stored_name=stored,
                total_rows=len(rows),
                error_rows=report["counts"]["error"],
                report=report,
                created_by=actor,
            )
    except BaseException:
        default_storage.delete(stored)
        raise


# --- importing ----------------------------------------------------------------------


def roster_import_start(*, actor: User, roster_import: RosterImport) -> RosterImport:
    """Start importing a previewed file without refused rows.

    Permission: only the person who uploaded it (the people are created in
    their name), while they still manage its unit.  Idempotent: an import
    already queued, running or done is returned as it is.  A file of up to
    ``MAX_IN_PROCESS_ROWS`` rows is imported before this returns; a larger
    one is queued for a worker after the commit.
    """
    with transaction.atomic():
        item = (
            RosterImport.objects.select_for_update(of=("self",))
            .select_related("unit")
            .get(pk=roster_import.pk)
        )
        if item.created_by_id != actor.pk or not can_manage_unit(actor, item.unit):
            raise PermissionDenied(
                _("Only the person who uploaded this file can import it.")
            )
        if item.status != RosterImport.Status.PREVIEWED:
            if item.status == RosterImport.Status.FAILED:
                raise ValidationError(
                    _("This import failed. Correct the file and upload it again.")
                )
            return item
        if item.error_rows:
            raise ValidationError(
                _(
                    "Some rows have problems, so nothing can be imported. Correct "
                    "them and upload the file again."
                )
            )
        item.status = RosterImport.Status.QUEUED
        item.save(update_fields=["status"])
        if item.total_rows > MAX_IN_PROCESS_ROWS:
            from courses.tasks import roster_import_task

            roster_import_task.delay_on_commit(roster_import_id=item.pk)
            return item
    try:
        return roster_import_run(roster_import_id=item.pk)
    except OperationalError:
        # No task will retry an import run in the request: say so.
        return _fail(
            item.pk,
            _(
                "The database was too busy to import the file. Nothing was "
                "imported; upload it again."
            ),
        )


def _claim(roster_import_id: int) -> RosterImport | None:
    """Mark the import running (visible to the progress page at once), or
    None when it is finished already."""
    with transaction.atomic():
        item = (
            RosterImport.objects.select_for_update().filter(pk=roster_import_id).first()
        )
        if item is None or item.status in (
            RosterImport.Status.DONE,
            RosterImport.Status.FAILED,
        ):
            return None
        if item.status != RosterImport.Status.RUNNING:
            item.status = RosterImport.Status.RUNNING
            item.processed_rows = 0
            item.save(update_fields=["status", "processed_rows"])
            cache.set(progress_key(item.pk), 0, PROGRESS_TIMEOUT)
    return item


def roster_import_run(
    *, roster_import_id: int, progress_every: int = 500
) -> RosterImport:
    """Import a checked roster file: all rows or none, in one transaction.

    Reads the stored file again and checks every row again; any refused
    row fails the whole import with the fresh report and writes no person.
    New people are created by ``people_create_bulk`` in the uploader's name
    (audit row; invitation email queued after the commit); new and
    existing people join the cohort.  Every ``progress_every`` rows the
    count goes to the cache, where the progress page reads it while the
    transaction is still open (SQLite allows one writer, so a second
    connection could not write it to the row).

    Idempotent: a finished import (done or failed) is returned unchanged; a
    second delivery of the task waits for the row lock and then finds the
    import done.  A database error leaves it running for the task's retry.
    """
    if _claim(roster_import_id) is None:
        return RosterImport.objects.get(pk=roster_import_id)
    try:
        item = _run(roster_import_id, max(1, progress_every))
    except _Refused as refused:
        item = _fail(roster_import_id, refused.message, refused.report)
    except OperationalError:
        raise  # the database was busy or gone: the task tries again
    except Exception:
        _fail(
            roster_import_id,
            _(
                "The import stopped because of an unexpected error. Nothing was "
                "imported."
            ),
        )
        raise
    return item


def _stored_rows(item: RosterImport) -> list[RosterRow]:
    try:
        with default_storage.open(item.stored_name, "rb") as handle:
            return roster_files.read_roster(handle, filename=item.file_name)
    except OSError as error:
        raise _Refused(
            _(
                "The uploaded file is no longer available. Nothing was imported; upload it again."
            )
        ) from error
    except RosterRefused as refused:
        raise _Refused(refused.message) from refused


def _run(roster_import_id: int, progress_every: int) -> RosterImport:
    head = RosterImport.objects.select_related("unit", "cohort").get(
        pk=roster_import_id
    )
    # Parsing takes a while for a large file: do it before the transaction
    # takes SQLite's write lock.
    rows = _stored_rows(head)
    with transaction.atomic():
        item = (
            RosterImport.objects.select_for_update(of=("self",))
            .select_related("unit", "cohort")
            .get(pk=roster_import_id)
        )
        if item.status != RosterImport.Status.RUNNING:
            return item  # another delivery finished it while we waited
        actor = User.objects.select_related("home_unit").get(pk=item.created_by_id)
        cohort = _cohort_for_run(item, actor)
        if not can_manage_unit(actor, item.unit):
            raise _Refused(_("The uploader can no longer place people in this unit."))
        planned = _plan(rows, unit=item.unit)
        report = _report(planned, cohort=cohort)
        if report["counts"]["error"]:
            raise _Refused(_changed_message(report), report)
        created = _create_people(
            planned, actor=actor, key=progress_key(item.pk), every=progress_every
        )
        added = _add_to_cohort(cohort, planned, actor=actor) if cohort else 0
        report["result"] = {"created": created, "added_to_cohort": added}
        item.status = RosterImport.Status.DONE
        item.processed_rows = item.total_rows = len(planned)
        item.error_rows = 0
        item.report = report
        item.finished_at = timezone.now()
        item.save(
            update_fields=[
                "status",
                "processed_rows",
                "total_rows",
                "error_rows",
                "report",
                "finished_at",
            ]
        )
    cache.delete(progress_key(item.pk))
    return item


def _cohort_for_run(item: RosterImport, actor: User) -> Cohort | None:
    if item.report.get("cohort") and item.cohort is None:
        raise _Refused(
            _("The cohort chosen for this import was deleted. Nothing was imported.")
        )
    if item.cohort is not None and not can_manage_unit(actor, item.cohort.unit):
        raise _Refused(_("The uploader can no longer add people to this cohort."))
    return item.cohort


def _changed_message(report: dict) -> str:
    return _(
        "Since the file was checked, %(count)s rows have come to have problems "
        "(someone may have registered the same people meanwhile). Nothing was "
        "imported; correct those rows and upload the file again."
    ) % {"count": report["counts"]["error"]}


def _create_people(
    planned: list[_Planned], *, actor: User, key: str, every: int
) -> int:
    """Create the new people in batches of ``every`` (``people_create_bulk``:
    same checks, audit rows and invitations as one by one, far fewer
    queries), reporting progress to the cache after each batch."""
    new = [item for item in planned if item.person is None]
    for start in range(0, len(new), every):
        batch = new[start : start + every]
        try:
            people = people_create_bulk(
                actor=actor,
                people=[
                    NewPerson(
                        username=item.username,
                        full_name=item.row.name,
                        email=item.row.email,
                        home_unit=item.unit,
                        roles=tuple(item.row.roles),
                        staff_number=item.row.staff_number,
                        phone=item.row.phone,
                    )
                    for item in batch
                ],
            )
        except ValidationError as error:
            raise _Refused(_batch_failed(batch, error)) from error
        except (PermissionDenied, IntegrityError) as error:
            raise _Refused(_row_failed(batch[0].row, error)) from error
        for item, person in zip(batch, people, strict=True):
            item.person = person
        cache.set(key, len(planned) - len(new) + start + len(batch), PROGRESS_TIMEOUT)
    return len(new)


def _batch_failed(batch: list[_Planned], error: ValidationError) -> str:
    """Name the first row whose fields fail validation."""
    for item in batch:
        person = User(
            username=item.username,
            full_name=item.row.name,
            email=item.row.email,
            staff_number=item.row.staff_number,
            phone=item.row.phone,
        )
        try:
            person.clean_fields(exclude=["password", "home_unit"])
        except ValidationError as row_error:
            return _row_failed(item.row, row_error)
    return _row_failed(batch[0].row, error)


def _row_failed(row: RosterRow, error: Exception) -> str:
    if isinstance(error, ValidationError):
        reason = " ".join(error.messages)
    elif isinstance(error, PermissionDenied):
        reason = str(error) or _("Permission denied.")
    else:
        reason = _("Someone registered the same person meanwhile.")
    return _("Row %(line)s could not be imported: %(reason)s Nothing was imported.") % {
        "line": row.line,
        "reason": reason,
    }


def _add_to_cohort(cohort: Cohort, planned: list[_Planned], *, actor: User) -> int:
    """Add every row's person to the cohort; people already in it stay as
    they are (and the unique constraint keeps a racing add harmless)."""
    wanted = {item.person.pk for item in planned if item.person is not None}
    present: set[int] = set()
    for chunk in _chunks(wanted):
        present.update(
            CohortMember.objects.filter(cohort=cohort, person_id__in=chunk).values_list(
                "person_id", flat=True
            )
        )
    missing = sorted(wanted - present)
    CohortMember.objects.bulk_create(
        [CohortMember(cohort=cohort, person_id=pk, added_by=actor) for pk in missing],
        batch_size=500,
        ignore_conflicts=True,
    )
    return len(missing)


def _fail(
    roster_import_id: int, message: str, report: dict | None = None
) -> RosterImport:
    with transaction.atomic():
        item = RosterImport.objects.select_for_update().get(pk=roster_import_id)
        if item.status == RosterImport.Status.DONE:
            return item
        item.status = RosterImport.Status.FAILED
        item.finished_at = timezone.now()
        report = report or dict(item.report)
        report["message"] = message
        item.report = report
        item.error_rows = report.get("counts", {}).get("error", item.error_rows)
        item.save(update_fields=["status", "finished_at", "report", "error_rows"])
    cache.delete(progress_key(roster_import_id))
    return item
