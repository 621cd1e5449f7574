"""Being there: check-in and check-out at the centre with the rotating QR
token (or the short code) of ``lms.core.checkin``, keyed by the shift's
id and secret, and a coordinator excusing a no-show.

Decisions:

- **Window**: check-in from ``CHECK_IN_OPENS_BEFORE`` (30 minutes) before
  the start until the end; check-out until ``CHECK_OUT_CLOSES_AFTER`` (30
  minutes) after the end, the same as offline sessions.
- **Who**: only people signed up for the shift; a waitlisted person is
  told to ask the supervisor on duty.
- **No hours here**: practice hours are credited when a practice entry
  linked to the shift is approved, not at check-in.
- **Wrong short codes** are limited per person and shift, as for
  sessions, under a key of our own.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core import checkin
from lms.core.models import AuditAction, User
from lms.core.services.audit import audit_record

from ..models import DutyShift, ShiftSignup
from ..permissions import can_manage_shift
from ..selectors import shifts as selectors

SignupStatus = ShiftSignup.Status
MAX_REASON_LENGTH = 300


def _minutes(delta: datetime.timedelta) -> int:
    return int(delta.total_seconds() // 60)


def _verify(
    *, person: User, shift: DutyShift, token, code, now: datetime.datetime
) -> None:
    """The check-in token and code check, keyed by the shift's secret."""
    checkin.verify(
        shift.check_in_keys,
        person_id=person.pk,
        token=token,
        code=code,
        now=now,
        too_many=_(
            "Too many wrong codes. Wait %(minutes)s minutes, or ask the supervisor on duty."
        ),
    )


def _held_place(shift: DutyShift, person: User) -> ShiftSignup:
    row = (
        ShiftSignup.objects.select_for_update()
        .filter(shift=shift, person=person)
        .first()
    )
    if row is None or row.status != SignupStatus.SIGNED_UP:
        if row is not None and row.status == SignupStatus.WAITLISTED:
            raise ValidationError(
                _(
                    "You are on the waiting list, not signed up, so you cannot check in. Ask the supervisor on duty."
                ),
                code="waitlisted",
            )
        raise ValidationError(
            _("You are not signed up for this shift, so you cannot check in."),
            code="not_signed_up",
        )
    return row


def shift_check_in(
    *,
    actor: User,
    shift: DutyShift,
    token: str | None = None,
    code: str | None = None,
    now: datetime.datetime | None = None,
) -> ShiftSignup:
    """Check ``actor`` in to ``shift`` by the QR ``token`` or the ``code``.

    Only someone signed up, from 30 minutes before the start until the
    end, on a shift not called off.  Idempotent: the first check-in time
    stands.
    """
    now = now or timezone.now()
    if shift.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."), code="cancelled")
    if now < shift.starts_at - checkin.CHECK_IN_OPENS_BEFORE:
        raise ValidationError(
            _("Check-in opens %(minutes)s minutes before the shift starts.")
            % {"minutes": _minutes(checkin.CHECK_IN_OPENS_BEFORE)},
            code="early",
        )
    if now > shift.ends_at:
        raise ValidationError(
            _("This shift has ended; check-in is closed."), code="closed"
        )
    _verify(person=actor, shift=shift, token=token, code=code, now=now)
    with transaction.atomic():
        row = _held_place(shift, actor)
        if row.checked_in_at is None:
            row.checked_in_at = now
            row.save(update_fields=["checked_in_at", "updated_at"])
    return row


def shift_check_out(
    *,
    actor: User,
    shift: DutyShift,
    token: str | None = None,
    code: str | None = None,
    now: datetime.datetime | None = None,
) -> ShiftSignup:
    """Record when ``actor`` left, by the token or the code; after a
    check-in, until 30 minutes after the end.  The first check-out stands."""
    now = now or timezone.now()
    if now > shift.ends_at + checkin.CHECK_OUT_CLOSES_AFTER:
        raise ValidationError(
            _("Check-out closed %(minutes)s minutes after the shift ended.")
            % {"minutes": _minutes(checkin.CHECK_OUT_CLOSES_AFTER)},
            code="closed",
        )
    _verify(person=actor, shift=shift, token=token, code=code, now=now)
    with transaction.atomic():
        row = _held_place(shift, actor)
        if row.checked_in_at is None:
            raise ValidationError(
                _("You have not checked in to this shift, so you cannot check out."),
                code="not_in",
            )
        if row.checked_out_at is None:
            row.checked_out_at = max(now, row.checked_in_at)
            row.save(update_fields=["checked_out_at", "updated_at"])
    return row


def signup_excuse(
    *,
    actor: User,
    signup: ShiftSignup,
    reason: str,
    request: HttpRequest | None = None,
    now: datetime.datetime | None = None,
) -> ShiftSignup:
    """Excuse a no-show with a reason (audited).

    For coordinators over the shift's unit; only a no-show (signed up, the
    shift over, never checked in), only once.  An excused no-show is not
    held against the person (``selectors.shifts_quota``).
    """
    now = now or timezone.now()
    if not can_manage_shift(actor, signup.shift):
        raise PermissionDenied(_("You cannot excuse absences from this shift."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give a reason for excusing the absence."))
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(count)s characters.")
            % {"count": MAX_REASON_LENGTH}
        )
    with transaction.atomic():
        row = (
            ShiftSignup.objects.select_for_update(of=("self",))
            .select_related("shift", "person")
            .get(pk=signup.pk)
        )
        if not selectors.is_no_show(row, now=now):
            raise ValidationError(_("Only a missed shift can be excused."))
        if row.excused_at is not None:
            raise ValidationError(_("This absence has already been excused."))
        row.excused_reason, row.excused_by, row.excused_at = reason, actor, now
        row.save(
            update_fields=["excused_reason", "excused_by", "excused_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action=AuditAction.ATTENDANCE_CHANGE,
            obj=row,
            request=request,
            detail=f"shift {row.shift_id}: no-show excused: {reason}",
        )
    return row
