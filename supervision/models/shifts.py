"""Duty shifts (跟岗值班) at a service centre: slots, sign-ups, swaps and
quota exemptions."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from lms.core import checkin


def _new_secret() -> str:
    return secrets.token_hex(16)


class DutyShift(models.Model):
    """One slot of on-duty practice at a centre, with a supervisor on duty.

    Trainees sign up while places are left, otherwise join the waiting
    list; they check in and out at the centre with the rotating QR code of
    ``lms.core.checkin`` keyed by ``secret``.
    """

    unit = models.ForeignKey(
        "core.OrgUnit",
        verbose_name=_("centre"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )
    title = models.CharField(_("title"), max_length=120, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveSmallIntegerField(_("places"), default=2)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor on duty"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts_supervised",
    )
    note = models.TextField(_("note"), blank=True, max_length=1000)
    secret = models.CharField(max_length=64, default=_new_secret, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["unit", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                name="shift_ends_after_it_starts",
                condition=Q(ends_at__gt=F("starts_at")),
            ),
            models.CheckConstraint(
                name="shift_has_places", condition=Q(capacity__gte=1, capacity__lte=200)
            ),
        ]

    def __str__(self) -> str:
        return self.title or str(self.unit)

    #: Names this kind of subject in its check-in codes (``lms.core.checkin``).
    CHECK_IN_SALT = "supervision.shifts"

    @property
    def check_in_keys(self) -> checkin.Keys:
        return checkin.Keys(
            subject_id=self.pk, secret=self.secret, salt=self.CHECK_IN_SALT
        )


class ShiftSignup(models.Model):
    """A person's place on a shift, or on its waiting list.

    ::

        signed_up ──cancel──▶ cancelled ──sign up again──▶ signed_up | waitlisted
        waitlisted ──place frees──▶ signed_up (oldest ``queued_at`` first)
        signed_up ──swap accepted──▶ swapped_out (the taker gets a new row)

    One row per shift and person; a no-show is a ``signed_up`` row of an
    ended shift without ``checked_in_at`` (computed, never stored), which a
    coordinator may excuse with a reason.
    """

    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("Signed up")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        SWAPPED_OUT = "swapped_out", _("Handed to someone else")

    shift = models.ForeignKey(
        DutyShift,
        verbose_name=_("shift"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="shift_signups",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    queued_at = models.DateTimeField(_("signed up at"))
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    excused_reason = models.CharField(_("reason excused"), max_length=300, blank=True)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("excused by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    excused_at = models.DateTimeField(_("excused at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["person", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "person"], name="signup_one_row_per_shift_person"
            ),
            models.CheckConstraint(
                name="signup_checked_in_only_when_signed_up",
                condition=Q(checked_in_at__isnull=True)
                | Q(status__in=["signed_up", "swapped_out"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.shift}"


class ShiftSwap(models.Model):
    """An offer to hand one's place on a shift to another member; it takes
    effect only when they accept, before the shift starts."""

    class Status(models.TextChoices):
        OFFERED = "offered", _("Offered")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    signup = models.ForeignKey(
        ShiftSignup,
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="swaps",
    )
    to_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("offered to"),
        on_delete=models.PROTECT,
        related_name="shift_swaps_offered",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OFFERED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("shift swap")
        verbose_name_plural = _("shift swaps")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["signup"],
                condition=Q(status="offered"),
                name="swap_one_open_offer_per_place",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signup} → {self.to_person}"


class QuotaExemption(models.Model):
    """A period in which a person owes no duty shifts (illness, leave,
    deployment), with the reason a coordinator gave."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="quota_exemptions",
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("quota exemption")
        verbose_name_plural = _("quota exemptions")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                name="exemption_ends_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.starts_on}–{self.ends_on}"
