"""A person's progress through lessons: watched intervals, quiz attempts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LessonProgress(models.Model):
    """How far one person has got with one lesson.

    ``intervals`` is the union of the stretches of the video actually
    played, in seconds of video time, merged and sorted; ``watched_seconds``
    is its length.  ``completed_at`` is set once, by
    ``courses.services.progress``, which also credits the hours.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="progress"
    )
    intervals = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0)
    duration = models.FloatField(null=True, blank=True)
    position = models.FloatField(default=0)
    last_report_at = models.DateTimeField(null=True, blank=True)
    video_done_at = models.DateTimeField(null=True, blank=True)
    quiz_passed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "lesson"], name="one_progress_per_person_lesson"
            )
        ]
        indexes = [models.Index(fields=["person", "-updated_at"])]

    def __str__(self):
        return f"{self.person_id} · {self.lesson_id}"

    @property
    def watched_fraction(self) -> float:
        if not self.duration:
            return 0.0
        return min(1.0, self.watched_seconds / self.duration)

    @property
    def watched_percent(self) -> int:
        return int(100 * self.watched_fraction)


class QuizAttempt(models.Model):
    """One submission of a lesson's quiz, with the answers as given."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    answers = models.JSONField(default=dict)
    score = models.PositiveSmallIntegerField()
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")

    def __str__(self):
        return f"{self.person_id} · {self.lesson_id} · {self.score}%"
