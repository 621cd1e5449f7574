"""Roster import, the running part: starting an import and running it,
all rows or none.

``roster_import_start`` runs a small file at once and queues a large one
(``courses.tasks.roster_import_task``); ``roster_import_run`` reads the
file again, checks every row again (people may have been registered since
the preview) and, in one transaction, creates the new people through
``people_create_bulk`` (audit rows, invitation emails after commit) and
adds everyone to the cohort.  A single refused row refuses the whole file.
Import these from ``courses.services.roster``.
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses import roster_files
from courses.models import Cohort, CohortMember, RosterImport
from courses.roster_files import RosterRefused, RosterRow
from courses.selectors.roster import progress_key
from lms.core.models import User
from lms.core.permissions import can_manage_unit
from lms.core.services.people_bulk import NewPerson, people_create_bulk

from .roster_plan import PlannedRow, chunked, roster_report, roster_rows_plan

#: Files up to this many rows are imported in the request; larger ones by
#: a Celery task with a progress display.
MAX_IN_PROCESS_ROWS = 500
#: Keep a running import's progress in the cache at most this long.
PROGRESS_TIMEOUT = 6 * 3600


class _Refused(Exception):
    """The import cannot go ahead; ``message`` says why, ``report`` (if
    any) is the fresh row-by-row report."""

    def __init__(self, message: str, report: dict | None = None):
        super().__init__(message)
        self.message = message
        self.report = report


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
        if not item.file:
            # Deleted after the retention period (``roster_files_sweep``).
            raise FileNotFoundError(item.file_name)
        with item.file.storage.open(item.file.name, "rb") as handle:
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
        planned = roster_rows_plan(rows, unit=item.unit)
        report = roster_report(planned, cohort=cohort)
        if report["counts"]["error"]:
            raise _Refused(_changed_message(report), report)
        created = _create_people(
            planned, actor=actor, key=progress_key(item.pk), every=progress_every
        )
        added = _add_to_cohort(cohort, planned, actor=actor) if cohort else 0
        # The done page links the people made (``people``, their ids).
        report["result"] = {
            "created": len(created),
            "added_to_cohort": added,
            "people": [person.pk for person in created],
        }
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
    planned: list[PlannedRow], *, actor: User, key: str, every: int
) -> list[User]:
    """Create the new people in batches of ``every`` (``people_create_bulk``:
    same checks, audit rows and invitations as one by one, far fewer
    queries), reporting progress to the cache after each batch; the people
    made, in the file's order."""
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
    return [item.person for item in new]


def _batch_failed(batch: list[PlannedRow], error: ValidationError) -> str:
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


def _add_to_cohort(cohort: Cohort, planned: list[PlannedRow], *, actor: User) -> int:
    """Add every row's person to the cohort; people already in it stay as
    they are (and the unique constraint keeps a racing add harmless)."""
    wanted = {item.person.pk for item in planned if item.person is not None}
    present: set[int] = set()
    for chunk in chunked(wanted):
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
