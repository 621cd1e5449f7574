"""Roster imports: a status row for each file, its preview and progress."""

from uuid import uuid4

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

#: The folder of the private storage that holds roster files.
STORAGE_FOLDER = "roster-imports"


def roster_storage():
    """Roster files carry names, mobile numbers, e-mail addresses and staff
    numbers: the private storage, which has no public URL."""
    return storages["private"]


def roster_upload_to(instance, filename: str) -> str:
    """A folder of its own for each file, under ``STORAGE_FOLDER``."""
    return f"{STORAGE_FOLDER}/{uuid4().hex}/{filename}"


class RosterImport(models.Model):
    """One roster file (XLSX or CSV) on its way in.

    previewed → queued → running → done | failed.  The row-level report of
    the preview is kept in ``report``; a large file is imported by a Celery
    task that updates ``processed_rows`` for the progress display.  The
    import is all or nothing.

    The file itself lives in the private storage and is deleted
    ``LMS_ROSTER_RETENTION_DAYS`` after the import finished (or, for one
    never imported, after its upload) by ``roster_files_sweep``; ``file``
    is empty from then on, and the report stays.
    """

    class Status(models.TextChoices):
        PREVIEWED = "previewed", _("Checked")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    unit = models.ForeignKey("core.OrgUnit", on_delete=models.PROTECT, related_name="+")
    cohort = models.ForeignKey(
        "courses.Cohort",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    file_name = models.CharField(max_length=255)
    file = models.FileField(
        storage=roster_storage,
        upload_to=roster_upload_to,
        max_length=255,
        blank=True,
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PREVIEWED
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self):
        return self.file_name
