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

This module holds the preview (``roster_check``, ``roster_preview``) and
is the one to import from: the row-by-row planning against the database
is ``courses.services.roster_plan``, the import run and its start are
``courses.services.roster_run``, re-exported here.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import (
    PermissionDenied,
    SuspiciousFileOperation,
    ValidationError,
)
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from courses import roster_files
from courses.models import Cohort, RosterImport
from courses.models.imports import STORAGE_FOLDER, roster_storage
from courses.roster_files import RosterRefused, RosterRow
from lms.core.models import OrgUnit, User
from lms.core.permissions import can_manage_unit

from .roster_plan import CHUNK, roster_report, roster_rows_plan
from .roster_run import (
    MAX_IN_PROCESS_ROWS,
    PROGRESS_TIMEOUT,
    roster_import_run,
    roster_import_start,
)

__all__ = [
    "CHUNK",
    "MAX_IN_PROCESS_ROWS",
    "PROGRESS_TIMEOUT",
    "STORAGE_FOLDER",
    "roster_check",
    "roster_files_sweep",
    "roster_import_run",
    "roster_import_start",
    "roster_preview",
]


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
    return roster_report(roster_rows_plan(rows, unit=unit), cohort=cohort)


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
    the file under ``roster-imports/<uuid>/`` in the private storage (no
    public URL; ``roster_files_sweep`` deletes it after the retention) and
    one ``RosterImport`` row (status previewed), nothing else.  A file that
    is no roster at all raises ``ValidationError`` and nothing is stored.
    """
    _check_scope(actor=actor, unit=unit, cohort=cohort)
    data, rows = _read(upload)
    report = roster_report(roster_rows_plan(rows, unit=unit), cohort=cohort)
    item = RosterImport(
        unit=unit,
        cohort=cohort,
        file_name=Path(filename or "").name[:255] or "roster",
        total_rows=len(rows),
        error_rows=report["counts"]["error"],
        report=report,
        created_by=actor,
    )
    item.file.save(_safe_name(filename), ContentFile(data), save=False)
    try:
        with transaction.atomic():
            item.save()
    except BaseException:
        item.file.delete(save=False)
        raise
    return item


# --- retention -------------------------------------------------------------------


def roster_files_sweep(*, now: datetime.datetime | None = None) -> int:
    """Delete the stored files of imports that finished (or, never
    imported, were uploaded) more than ``LMS_ROSTER_RETENTION_DAYS`` ago.

    Housekeeping run daily by ``courses.tasks.roster_files_sweep_task``,
    so no actor.  The import rows and their counts stay; the file and the
    report's per-row detail (names, addresses, staff numbers) go.
    Idempotent: an emptied row is not looked at again, and a file already
    missing from the storage is no error.  Returns how many were deleted.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(
        days=settings.LMS_ROSTER_RETENTION_DAYS
    )
    expired = (
        RosterImport.objects.exclude(file="")
        .alias(ended_at=Coalesce("finished_at", "created_at"))
        .filter(ended_at__lt=cutoff)
        .values_list("pk", "file", "report")
    )
    storage, swept = roster_storage(), 0
    for pk, name, report in expired:
        storage.delete(name)
        summary = {key: value for key, value in (report or {}).items() if key != "rows"}
        swept += RosterImport.objects.filter(pk=pk, file=name).update(
            file="", report=summary
        )
    return swept
