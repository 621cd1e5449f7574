"""Offline sessions (讲座, 团辅, 心理行为训练) and their attendance."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms.core import checkin
from lms.core.models import AppendOnlyModel


def _new_secret() -> str:
    return secrets.token_hex(16)


class OfflineSession(models.Model):
    """A lecture, group session or behaviour training held at a place.

    Attendance is taken by rotating QR code (a signed, time-limited token
    derived from ``secret``), by a short code for phones that cannot scan,
    or by hand by a coordinator; it credits ``credit_hours`` once.
    """

    class Kind(models.TextChoices):
        LECTURE = "lecture", _("Lecture (讲座)")
        GROUP = "group", _("Group session (团辅)")
        BEHAVIOUR = "behaviour", _("Behaviour training (心理行为训练)")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    cohort = models.ForeignKey(
        "courses.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
    )
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    credit_hours = models.DecimalField(
        _("credit hours"), max_digits=5, decimal_places=2
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        blank=True,
        related_name="sessions_facilitated",
    )
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("offline session")
        verbose_name_plural = _("offline sessions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                name="session_ends_after_it_starts",
                condition=Q(ends_at__gt=F("starts_at")),
            ),
            models.CheckConstraint(
                name="session_hours_not_negative", condition=Q(credit_hours__gte=0)
            ),
        ]

    def __str__(self):
        return self.title

    #: Names this kind of subject in its check-in codes (``lms.core.checkin``).
    CHECK_IN_SALT = "courses.attendance"

    @property
    def check_in_keys(self) -> checkin.Keys:
        return checkin.Keys(
            subject_id=self.pk, secret=self.secret, salt=self.CHECK_IN_SALT
        )


class Attendance(models.Model):
    """One person's attendance at a session: when they came and left, and
    how it was recorded.  A correction is a new history row and, for the
    ledger, a reversal and a re-credit; never an edit of the credit."""

    class Method(models.TextChoices):
        QR = "qr", _("QR code")
        CODE = "code", _("Short code")
        MANUAL = "manual", _("By the coordinator")

    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    session = models.ForeignKey(
        OfflineSession, on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PRESENT
    )
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    method = models.CharField(max_length=16, choices=Method.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"], name="one_attendance_per_session"
            ),
            models.CheckConstraint(
                name="checkout_after_checkin",
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
            ),
        ]

    def __str__(self):
        return f"{self.session_id} · {self.person_id}"


class AttendanceChange(AppendOnlyModel):
    """Who changed an attendance by hand, when, why, and what it was.

    Append-only (``lms.core.models.append_only``); an attendance with
    changes cannot be deleted (nor can its session: attendance keeps it).
    """

    attendance = models.ForeignKey(
        Attendance, on_delete=models.PROTECT, related_name="changes"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(max_length=500)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.attendance_id} @ {self.at}"
