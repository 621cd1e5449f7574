"""Trainee video lessons and their review by a supervisor."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lms.core.models import AppendOnlyModel


class VideoLessonSubmission(models.Model):
    """A ≤5-minute video lesson a trainee recorded, reviewed by a
    supervisor with timestamped comments.

    ::

        submitted ──approve──▶ approved  (creates an approved practice entry)
            │
            └──return(comment)──▶ returned ──new video──▶ submitted

    A lesson waiting with a video that could not be processed takes a new
    one without a move: its history gets a submitted → submitted row.

    The video goes through the courses pipeline (``courses.Video``); a
    resubmission replaces ``video`` and keeps the comments on the old one.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        RETURNED = "returned", _("Returned")
        APPROVED = "approved", _("Approved")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.APPROVED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.APPROVED: set(),
    }
    #: Moves go through ``lms.core.status``, which shows this when refused.
    TRANSITION_REFUSED = _("A video lesson cannot go from %(old)s to %(new)s.")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainee"),
        on_delete=models.PROTECT,
        related_name="video_lessons",
    )
    title = models.CharField(_("title"), max_length=120)
    lesson = models.ForeignKey(
        "courses.LessonPage",
        verbose_name=_("after the lesson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    video = models.ForeignKey(
        "courses.Video",
        verbose_name=_("video"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    entry = models.OneToOneField(
        "supervision.PracticeEntry",
        verbose_name=_("practice entry"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="video_lesson",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("trainee video lesson")
        verbose_name_plural = _("trainee video lessons")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="video_lesson_approved_has_entry",
                condition=~Q(status="approved") | Q(entry__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def history_row(self, *, before: str, after: str, actor, comment: str):
        """The unsaved ``ReviewTransition`` of a step (``lms.core.status``)."""
        return ReviewTransition(
            submission=self,
            from_status=before,
            to_status=after,
            actor=actor,
            comment=comment,
        )


class VideoReviewComment(models.Model):
    """A reviewer's comment pinned to a moment of the video."""

    submission = models.ForeignKey(
        VideoLessonSubmission, on_delete=models.CASCADE, related_name="comments"
    )
    video = models.ForeignKey(
        "courses.Video", on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at_seconds = models.PositiveIntegerField(_("at (seconds)"))
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")
        ordering = ["at_seconds", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}@{self.at_seconds}"


class ReviewTransition(AppendOnlyModel):
    """One step of a video lesson's review, with who, when and why.

    Append-only (``lms.core.models.append_only``); a submission with a
    history cannot be deleted.
    """

    submission = models.ForeignKey(
        VideoLessonSubmission, on_delete=models.PROTECT, related_name="transitions"
    )
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.from_status} → {self.to_status}"
