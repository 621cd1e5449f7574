"""Taking and leaving places on duty shifts: sign up (or join the waiting
list), cancel before the cut-off, promotion from the waiting list, and
swaps (offer, accept, decline, withdraw, lapse at the start).

Every write locks the shift's row first, so two people taking the last
place are served one after the other: one is signed up, the other
waitlisted.  The unique constraint on (shift, person) is the last line
against a double tap.

Decisions:

- **Who may take a place**: an active trainee whose home unit is the
  shift's unit or below it (``supervision.permissions.may_take_place``).
- **Cut-off**: a signed-up person may cancel until
  ``rules_for(shift.unit).cancel_cutoff_hours`` before the start; after
  that they offer a swap or ask the coordinator.  Leaving the waiting
  list is allowed until the start.
- **Promotion** happens only before the start, oldest ``queued_at``
  first, and each promoted person gets a notice.
- **Swaps**: the taker must be eligible and hold no place on the shift
  (a waitlisted person may be offered one; their row is reused, as is a
  cancelled one).  Offers lapse at the start: an open offer of a started
  shift counts as expired everywhere and is stored as such on the next
  touch or by ``shift_swaps_expire``.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.core.models import User
from lms.core.services.notices import notice_send

from ..models import DutyShift, ShiftSignup, ShiftSwap
from ..permissions import may_take_place
from ..rules import rules_for
from ..selectors import shifts as selectors

SignupStatus = ShiftSignup.Status
SwapStatus = ShiftSwap.Status


def _list_url() -> str:
    return reverse("supervision:shift_list")


def _when(shift: DutyShift) -> str:
    return timezone.localtime(shift.starts_at).strftime("%Y-%m-%d %H:%M")


def _lock(shift: DutyShift) -> DutyShift:
    return (
        DutyShift.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=shift.pk)
    )


def _require_open(shift: DutyShift, now: datetime.datetime) -> None:
    if shift.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."), code="cancelled")
    if now >= shift.starts_at:
        raise ValidationError(
            _("This shift has already started; places can no longer change."),
            code="started",
        )


def places_taken(shift: DutyShift) -> int:
    """Places taken on ``shift`` now (signed up, not waiting)."""
    return _taken(shift)


def _taken(shift: DutyShift) -> int:
    return ShiftSignup.objects.filter(
        shift=shift, status=SignupStatus.SIGNED_UP
    ).count()


# --- sign up and cancel -------------------------------------------------------


def shift_signup(
    *, actor: User, shift: DutyShift, now: datetime.datetime | None = None
) -> ShiftSignup:
    """Take a place on ``shift``, or join its waiting list when it is full.

    For eligible trainees, before the start of a shift not called off.
    Idempotent: someone already signed up or waiting keeps their row.
    A cancelled row is reused (queued again from now).
    """
    now = now or timezone.now()
    if not may_take_place(actor, shift):
        raise PermissionDenied(
            _("This shift is not for your unit, so you cannot sign up.")
        )
    with transaction.atomic():
        locked = _lock(shift)
        _require_open(locked, now)
        row = ShiftSignup.objects.filter(shift=locked, person=actor).first()
        if row is not None and row.status in (
            SignupStatus.SIGNED_UP,
            SignupStatus.WAITLISTED,
        ):
            return row
        status = (
            SignupStatus.SIGNED_UP
            if _taken(locked) < locked.capacity
            else SignupStatus.WAITLISTED
        )
        if row is None:
            try:
                with transaction.atomic():
                    return ShiftSignup.objects.create(
                        shift=locked, person=actor, status=status, queued_at=now
                    )
            except IntegrityError:
                return ShiftSignup.objects.get(shift=locked, person=actor)
        _reset(row, status=status, now=now)
    return row


def _reset(row: ShiftSignup, *, status: str, now: datetime.datetime) -> None:
    row.status = status
    row.queued_at = now
    row.checked_in_at = row.checked_out_at = None
    row.save(
        update_fields=[
            "status",
            "queued_at",
            "checked_in_at",
            "checked_out_at",
            "updated_at",
        ]
    )


def cancel_deadline(shift: DutyShift, *, hours: int | None = None) -> datetime.datetime:
    """The last moment a signed-up person may cancel by themselves
    (``hours``: the unit's cut-off, when the caller already knows it)."""
    if hours is None:
        hours = rules_for(shift.unit).cancel_cutoff_hours
    return shift.starts_at - datetime.timedelta(hours=hours)


def shift_cancel(
    *, actor: User, shift: DutyShift, now: datetime.datetime | None = None
) -> ShiftSignup:
    """Give up one's place (before the cut-off) or leave the waiting list
    (before the start); the freed place goes to the oldest waiting person.
    An open swap offer of the place is withdrawn."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(shift)
        row = (
            ShiftSignup.objects.select_for_update()
            .filter(
                shift=locked,
                person=actor,
                status__in=[SignupStatus.SIGNED_UP, SignupStatus.WAITLISTED],
            )
            .first()
        )
        if row is None:
            raise ValidationError(
                _("You hold no place on this shift."), code="not_signed_up"
            )
        _require_open(locked, now)
        if row.status == SignupStatus.SIGNED_UP and now > cancel_deadline(locked):
            raise ValidationError(
                _(
                    "It is too late to cancel: places can be cancelled until %(hours)s hours before the start. Offer your place to someone else, or ask the coordinator."
                )
                % {"hours": rules_for(locked.unit).cancel_cutoff_hours},
                code="too_late",
            )
        freed = row.status == SignupStatus.SIGNED_UP
        row.status = SignupStatus.CANCELLED
        row.save(update_fields=["status", "updated_at"])
        row.swaps.filter(status=SwapStatus.OFFERED).update(
            status=SwapStatus.WITHDRAWN, decided_at=now
        )
        if freed:
            waitlist_promote(shift=locked, now=now)
    return row


def waitlist_promote(
    *, shift: DutyShift, now: datetime.datetime | None = None
) -> list[ShiftSignup]:
    """Fill free places from the waiting list, oldest first, and tell each
    person promoted.  Call with the shift's row locked (the services do);
    does nothing once the shift has started or was called off."""
    now = now or timezone.now()
    if shift.cancelled_at is not None or now >= shift.starts_at:
        return []
    free = shift.capacity - _taken(shift)
    if free <= 0:
        return []
    promoted = list(
        ShiftSignup.objects.select_for_update(of=("self",))
        .filter(shift=shift, status=SignupStatus.WAITLISTED)
        .select_related("person")
        .order_by("queued_at", "pk")[:free]
    )
    for row in promoted:
        row.status = SignupStatus.SIGNED_UP
        row.save(update_fields=["status", "updated_at"])
        notice_send(
            person=row.person,
            text=_(
                "A place came free: you moved up from the waiting list and are signed up for the shift “%(title)s” on %(when)s."
            )
            % {"title": shift, "when": _when(shift)},
            url=_list_url(),
        )
    return promoted


# --- swaps --------------------------------------------------------------------


def _refuse_if_lapsed(swap: ShiftSwap, now: datetime.datetime) -> None:
    """An open offer of a started or cancelled shift is stored as expired
    (outside the refused transaction, so it stays) and refused."""
    shift = swap.signup.shift
    if swap.status == SwapStatus.OFFERED and (
        now >= shift.starts_at or shift.cancelled_at is not None
    ):
        shift_swaps_expire(now=now)
        raise ValidationError(
            _("This offer has lapsed: the shift has started or was cancelled."),
            code="expired",
        )


def _open_swap(swap: ShiftSwap, now: datetime.datetime) -> ShiftSwap:
    """The swap locked, refused unless still open and before the start."""
    locked = (
        ShiftSwap.objects.select_for_update(of=("self",))
        .select_related("signup__shift__unit", "signup__person", "to_person")
        .get(pk=swap.pk)
    )
    if locked.status != SwapStatus.OFFERED:
        raise ValidationError(_("This offer is no longer open."), code="closed_offer")
    shift = locked.signup.shift
    if now >= shift.starts_at or shift.cancelled_at is not None:
        raise ValidationError(
            _("This offer has lapsed: the shift has started or was cancelled."),
            code="expired",
        )
    return locked


def shift_swap_offer(
    *,
    actor: User,
    shift: DutyShift,
    to_person: User,
    now: datetime.datetime | None = None,
) -> ShiftSwap:
    """Offer one's place on ``shift`` to ``to_person``, who must be
    eligible and hold no place on it.  Allowed after the cancel cut-off
    (that is what swaps are for), until the start; one open offer per
    place.  The taker gets a notice."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(shift)
        row = ShiftSignup.objects.filter(
            shift=locked, person=actor, status=SignupStatus.SIGNED_UP
        ).first()
        if row is None:
            raise ValidationError(
                _("Only someone signed up for this shift can offer their place."),
                code="not_signed_up",
            )
        _require_open(locked, now)
        if (
            not selectors.swap_candidates(shift=locked, offerer=actor)
            .filter(pk=to_person.pk)
            .exists()
        ):
            raise ValidationError(
                _(
                    "This person cannot take your place: they must be a trainee of this centre who is not already on the shift."
                ),
                code="not_eligible",
            )
        if row.swaps.filter(status=SwapStatus.OFFERED).exists():
            raise ValidationError(
                _("You have already offered this place; withdraw that offer first."),
                code="already_offered",
            )
        swap = ShiftSwap.objects.create(signup=row, to_person=to_person)
        notice_send(
            person=to_person,
            text=_(
                "%(name)s offers you their place on the shift “%(title)s” on %(when)s. Accept or decline it on your shifts page."
            )
            % {"name": actor, "title": locked, "when": _when(locked)},
            url=_list_url(),
        )
    return swap


def shift_swap_accept(
    *, actor: User, swap: ShiftSwap, now: datetime.datetime | None = None
) -> ShiftSignup:
    """Take the place offered: the offerer's row becomes ``swapped_out``,
    the taker's (new, or their cancelled or waitlisted row) ``signed_up``.
    Only the person offered, while they are still eligible and the
    offerer still holds the place, before the start."""
    now = now or timezone.now()
    if swap.to_person_id != actor.pk:
        raise PermissionDenied(_("This offer was not made to you."))
    _refuse_if_lapsed(swap, now)
    with transaction.atomic():
        shift = _lock(swap.signup.shift)
        locked = _open_swap(swap, now)
        giver = locked.signup
        mine = ShiftSignup.objects.filter(shift=shift, person=actor).first()
        if (
            giver.status != SignupStatus.SIGNED_UP
            or not may_take_place(actor, shift)
            or (mine is not None and mine.status == SignupStatus.SIGNED_UP)
        ):
            raise ValidationError(
                _("This place can no longer be handed to you."), code="gone"
            )
        giver.status = SignupStatus.SWAPPED_OUT
        giver.save(update_fields=["status", "updated_at"])
        if mine is None:
            mine = ShiftSignup.objects.create(
                shift=shift, person=actor, status=SignupStatus.SIGNED_UP, queued_at=now
            )
        else:
            _reset(mine, status=SignupStatus.SIGNED_UP, now=now)
        _decide(locked, SwapStatus.ACCEPTED, now)
        notice_send(
            person=giver.person,
            text=_("%(name)s took your place on the shift “%(title)s” on %(when)s.")
            % {"name": actor, "title": shift, "when": _when(shift)},
            url=_list_url(),
        )
    return mine


def _decide(swap: ShiftSwap, status: str, now: datetime.datetime) -> None:
    swap.status = status
    swap.decided_at = now
    swap.save(update_fields=["status", "decided_at"])


def shift_swap_decline(
    *, actor: User, swap: ShiftSwap, now: datetime.datetime | None = None
) -> ShiftSwap:
    """Say no to an offer; the offerer keeps their place and is told."""
    now = now or timezone.now()
    if swap.to_person_id != actor.pk:
        raise PermissionDenied(_("This offer was not made to you."))
    _refuse_if_lapsed(swap, now)
    with transaction.atomic():
        locked = _open_swap(swap, now)
        _decide(locked, SwapStatus.DECLINED, now)
        shift = locked.signup.shift
        notice_send(
            person=locked.signup.person,
            text=_(
                "%(name)s declined your place on the shift “%(title)s” on %(when)s; it is still yours."
            )
            % {"name": actor, "title": shift, "when": _when(shift)},
            url=_list_url(),
        )
    return locked


def shift_swap_withdraw(
    *, actor: User, swap: ShiftSwap, now: datetime.datetime | None = None
) -> ShiftSwap:
    """Take back one's own open offer, before the start."""
    now = now or timezone.now()
    if swap.signup.person_id != actor.pk:
        raise PermissionDenied(
            _("Only the person who made this offer can withdraw it.")
        )
    _refuse_if_lapsed(swap, now)
    with transaction.atomic():
        locked = _open_swap(swap, now)
        _decide(locked, SwapStatus.WITHDRAWN, now)
    return locked


def shift_swaps_expire(*, now: datetime.datetime | None = None) -> int:
    """Store open offers of started or cancelled shifts as expired.
    Idempotent; for the periodic task and after a refused late accept."""
    now = now or timezone.now()
    lapsed = ShiftSwap.objects.filter(status=SwapStatus.OFFERED).filter(
        Q(signup__shift__starts_at__lte=now)
        | Q(signup__shift__cancelled_at__isnull=False)
    )
    return lapsed.update(status=SwapStatus.EXPIRED, decided_at=now)
