"""Micro-videos: the upload as received and the web renditions made from it."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.core.models import AppendOnlyModel

FAILURE_MESSAGES = {
    "damaged": _("The video could not be processed; the file may be damaged."),
    "timeout": _("Processing the video took too long and was stopped."),
    "missing": _("The uploaded file is no longer in storage; please upload it again."),
    "refused": _("The file is not an acceptable video; please upload it again."),
}


class Video(models.Model):
    """A micro-video (微课视频) uploaded by a coordinator or, later, a trainee.

    The original upload is kept but never served; web renditions, a poster
    and the duration are made by a Celery task on the ``video`` queue::

        queued ──► processing ──► ready
           ▲            │
           │            ├──► failed ──(retry)──► queued
           └────────────┘  (worker lost: the sweeper re-queues)

    ``processing`` is held by a lease (``lease_holder`` until
    ``lease_until``) which the working process renews; a lease that lapses
    or whose process is gone is taken back by the sweeper, so a video is
    never stuck.  ``ready`` is only written once the renditions are in
    place, which a check constraint holds.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    TRANSITIONS = {
        Status.QUEUED: {Status.PROCESSING, Status.FAILED},
        Status.PROCESSING: {Status.READY, Status.FAILED, Status.QUEUED},
        Status.READY: set(),
        Status.FAILED: {Status.QUEUED},
    }
    #: Moves go through ``lms.core.status``, which shows this when refused.
    TRANSITION_REFUSED = _("A video cannot go from %(old)s to %(new)s.")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="videos",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    in_library = models.BooleanField(
        _("in the video library"),
        default=True,
        editable=False,
        help_text=_(
            "A trainee's own recording is not: only they and their reviewers see it."
        ),
    )
    original_name = models.CharField(max_length=255, editable=False)
    original_filename = models.CharField(
        _("file name"), max_length=255, blank=True, editable=False
    )
    original_size = models.BigIntegerField(_("size in bytes"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    failure_code = models.CharField(max_length=32, blank=True, editable=False)
    failure_detail = models.TextField(blank=True, editable=False)
    duration = models.FloatField(_("duration in seconds"), null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    remuxed = models.BooleanField(default=False, editable=False)
    main_name = models.CharField(max_length=255, blank=True, editable=False)
    low_name = models.CharField(max_length=255, blank=True, editable=False)
    poster_name = models.CharField(max_length=255, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    lease_holder = models.CharField(max_length=200, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    ready_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="video_ready_has_renditions",
                condition=~Q(status="ready")
                | (~Q(main_name="") & ~Q(poster_name="") & Q(duration__isnull=False)),
            ),
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"])]

    def __str__(self):
        return self.title

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def failure_message(self) -> str:
        """Why processing failed, as a sentence in the reader's language."""
        if not self.failure_code:
            return ""
        return str(FAILURE_MESSAGES.get(self.failure_code, FAILURE_MESSAGES["damaged"]))

    def history_row(self, *, before: str, after: str, actor, comment: str):
        """The unsaved ``VideoEvent`` of a step (``lms.core.status``)."""
        return VideoEvent(
            video=self,
            from_status=before,
            to_status=after,
            actor=actor,
            note=comment[:500],
        )


class VideoEvent(AppendOnlyModel):
    """One step of a video's status history: who or what moved it, and why.

    Append-only (``lms.core.models.append_only``).  The events go with
    their video: deleting a video is allowed, and the database deletes its
    events once the video row is gone (hence ``DO_NOTHING`` here).
    """

    video = models.ForeignKey(Video, on_delete=models.DO_NOTHING, related_name="events")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("video event")
        verbose_name_plural = _("video events")

    def __str__(self):
        return f"{self.video_id}: {self.from_status} → {self.to_status}"
