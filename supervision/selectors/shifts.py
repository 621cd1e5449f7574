"""Reads for duty shifts (跟岗值班), scoped to the acting user; the row
forms of the same rules are in ``supervision.permissions``.

Who sees a shift:

- coordinators and leaders: every shift of a unit in their subtree;
- the supervisor on duty: their shifts;
- everyone: shifts of their home unit *and of the units above it* (the
  centre they practise at), and shifts they hold a row on.

Who may take a place (sign up, be offered a swap, check in) is narrower:
an active trainee whose home unit is the shift's unit or below it.

Views fetch through these, so a shift outside what the user sees is a
404; inside it, a user without the right gets 403.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lms.core.models import Role, User
from lms.core.selectors import people_manageable_by, units_visible_to

from ..models import DutyShift, QuotaExemption, ShiftSignup, ShiftSwap

#: How far ahead a trainee's list of shifts reaches.
UPCOMING_DAYS = 62
#: At most this many upcoming shifts on one page.
UPCOMING_LIMIT = 60

SignupStatus = ShiftSignup.Status


def _shifts() -> QuerySet[DutyShift]:
    return DutyShift.objects.select_related("unit", "supervisor")


def with_counts(queryset: QuerySet[DutyShift]) -> QuerySet[DutyShift]:
    """``queryset`` annotated with ``taken`` (signed up) and ``waiting``."""
    return queryset.annotate(
        taken=Count("signups", filter=Q(signups__status=SignupStatus.SIGNED_UP)),
        waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITLISTED)),
    )


def shifts_manageable_by(*, user: User) -> QuerySet[DutyShift]:
    """Shifts a coordinator publishes: those of units in their subtree
    (queryset form of ``supervision.permissions.can_manage_shift``)."""
    if user.is_superuser:
        return _shifts()
    if not user.is_authenticated or not user.has_role(Role.COORDINATOR):
        return DutyShift.objects.none()
    return _shifts().filter(unit__in=units_visible_to(user=user))


def shifts_visible_to(*, user: User) -> QuerySet[DutyShift]:
    """Shifts the user may open at all (module docstring)."""
    if user.is_superuser:
        return _shifts()
    if not user.is_authenticated:
        return DutyShift.objects.none()
    condition = Q(supervisor=user) | Q(signups__person=user)
    condition |= Q(unit__in=units_visible_to(user=user))
    if user.home_unit_id is not None:
        condition |= user.home_unit.ancestors_q("unit__")
    ids = DutyShift.objects.filter(condition).values("pk")
    return _shifts().filter(pk__in=ids)


def shift_get_for(*, user: User, pk: int) -> DutyShift:
    return get_object_or_404(shifts_visible_to(user=user), pk=pk)


# --- people -------------------------------------------------------------------


def eligible_people(*, shift: DutyShift) -> QuerySet[User]:
    """Everyone who may take a place on ``shift``: queryset form of
    ``supervision.permissions.may_take_place``."""
    return User.objects.filter(
        shift.unit.subtree_q("home_unit__"), is_active=True, groups__name=Role.TRAINEE
    ).select_related("home_unit")


def swap_candidates(*, shift: DutyShift, offerer: User) -> QuerySet[User]:
    """Eligible members who hold no place on ``shift`` (a waitlisted one
    may be offered a place)."""
    holding = ShiftSignup.objects.filter(
        shift=shift, person=OuterRef("pk"), status=SignupStatus.SIGNED_UP
    )
    return (
        eligible_people(shift=shift)
        .exclude(pk=offerer.pk)
        .exclude(Exists(holding))
        .order_by("full_name", "username")
    )


def supervisors_manageable_by(*, user: User) -> QuerySet[User]:
    """Supervisors a coordinator may put on duty: those in their subtree."""
    return (
        people_manageable_by(user=user)
        .filter(groups__name=Role.SUPERVISOR, is_active=True)
        .order_by("full_name", "username")
    )


def trainees_manageable_by(*, user: User) -> QuerySet[User]:
    """Trainees a coordinator may exempt from the quota."""
    return (
        people_manageable_by(user=user)
        .filter(groups__name=Role.TRAINEE)
        .order_by("full_name", "username")
    )


def exemptions_manageable_by(*, user: User) -> QuerySet[QuotaExemption]:
    """Exemptions of the people a coordinator manages."""
    people = people_manageable_by(user=user).values("pk")
    return QuotaExemption.objects.filter(person__in=people).select_related(
        "person", "person__home_unit", "created_by"
    )


# --- sign-ups -----------------------------------------------------------------


def signup_of(*, person: User, shift: DutyShift) -> ShiftSignup | None:
    if not person.is_authenticated:
        return None
    return ShiftSignup.objects.filter(shift=shift, person=person).first()


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def parse_week(value: str | None, *, today: datetime.date) -> datetime.date:
    """The Monday of the week ``?week=YYYY-MM-DD`` names; this week for a
    missing, malformed or absurd value (more than ten years away)."""
    try:
        day = datetime.date.fromisoformat((value or "")[:10])
    except ValueError:
        day = today
    if abs((day - today).days) > 3660:
        day = today
    return week_start(day)


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def week_shifts_for(*, user: User, monday: datetime.date) -> list[dict]:
    """Seven days (Monday to Sunday) of the week beginning ``monday``, each
    ``{"day": date, "shifts": [...]}`` with the shifts of the user's home
    unit and the units above it that start that day (local time), shaped
    as in ``upcoming_shifts_for``; three queries."""
    start = _local_midnight(monday)
    end = _local_midnight(monday + datetime.timedelta(days=7))
    shifts = upcoming_shifts_for(user=user, start=start, end=end)
    days = [
        {"day": monday + datetime.timedelta(days=i), "shifts": []} for i in range(7)
    ]
    for shift in shifts:
        index = (timezone.localdate(shift.starts_at) - monday).days
        if 0 <= index < 7:
            days[index]["shifts"].append(shift)
    return days


def my_upcoming_shifts(
    *, user: User, now: datetime.datetime | None = None, limit: int = 20
) -> list[ShiftSignup]:
    """The user's own places (signed up or waiting) on shifts that have not
    ended, soonest first, with the shift and its unit; one query."""
    now = now or timezone.now()
    if not user.is_authenticated:
        return []
    return list(
        ShiftSignup.objects.filter(
            person=user,
            status__in=[SignupStatus.SIGNED_UP, SignupStatus.WAITLISTED],
            shift__ends_at__gt=now,
        )
        .select_related("shift__unit", "shift__supervisor")
        .order_by("shift__starts_at", "pk")[:limit]
    )


def upcoming_shifts_for(
    *,
    user: User,
    now: datetime.datetime | None = None,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
) -> list[DutyShift]:
    """Shifts of the user's home unit and the units above it that have not
    ended (or, given ``start`` and ``end``, that start between them), with
    places taken, each with ``mine`` (the user's row or None) and
    ``offer`` (their open swap offer); three queries."""
    now = now or timezone.now()
    if not user.is_authenticated or user.home_unit_id is None:
        return []
    if start is not None and end is not None:
        window = Q(starts_at__gte=start, starts_at__lt=end)
    else:
        window = Q(
            ends_at__gt=now,
            starts_at__lte=now + datetime.timedelta(days=UPCOMING_DAYS),
        )
    mine = ShiftSignup.objects.filter(person=user).prefetch_related(
        Prefetch(
            "swaps",
            queryset=ShiftSwap.objects.filter(
                status=ShiftSwap.Status.OFFERED
            ).select_related("to_person"),
            to_attr="open_swaps",
        )
    )
    shifts = list(
        with_counts(_shifts())
        .filter(
            window,
            user.home_unit.ancestors_q("unit__"),
        )
        .prefetch_related(Prefetch("signups", queryset=mine, to_attr="mine_rows"))
        .order_by("starts_at", "pk")[:UPCOMING_LIMIT]
    )
    for shift in shifts:
        shift.mine = shift.mine_rows[0] if shift.mine_rows else None
        shift.offer = (
            shift.mine.open_swaps[0] if shift.mine and shift.mine.open_swaps else None
        )
        shift.places_left = max(0, shift.capacity - shift.taken)
    return shifts


def swaps_offered_to(
    *, user: User, now: datetime.datetime | None = None
) -> QuerySet[ShiftSwap]:
    """Open offers to ``user`` of shifts that have not started."""
    now = now or timezone.now()
    return (
        ShiftSwap.objects.filter(
            to_person=user,
            status=ShiftSwap.Status.OFFERED,
            signup__shift__starts_at__gt=now,
            signup__shift__cancelled_at__isnull=True,
        )
        .select_related("signup__person", "signup__shift__unit")
        .order_by("signup__shift__starts_at")
    )


def duty_shifts_of(
    *, user: User, now: datetime.datetime | None = None
) -> QuerySet[DutyShift]:
    """Shifts ``user`` is the supervisor on duty for, from today on."""
    now = now or timezone.now()
    return with_counts(
        _shifts().filter(supervisor=user, ends_at__gt=now - datetime.timedelta(days=1))
    ).order_by("starts_at")[:30]


def is_no_show(signup: ShiftSignup, *, now: datetime.datetime) -> bool:
    """Signed up to a shift that has ended, never checked in (computed)."""
    shift = signup.shift
    return (
        signup.status == SignupStatus.SIGNED_UP
        and shift.cancelled_at is None
        and now > shift.ends_at
        and signup.checked_in_at is None
    )


def roster_for(*, shift: DutyShift, now: datetime.datetime | None = None) -> dict:
    """Sign-ups (with ``no_show``), the waiting list in order, and those
    who left, in one query."""
    now = now or timezone.now()
    rows = list(
        shift.signups.select_related("person", "person__home_unit", "excused_by")
        .prefetch_related(
            Prefetch(
                "swaps",
                queryset=ShiftSwap.objects.filter(
                    status=ShiftSwap.Status.ACCEPTED
                ).select_related("to_person"),
                to_attr="accepted_swaps",
            )
        )
        .order_by("queued_at", "pk")
    )
    for row in rows:
        row.shift = shift
        row.no_show = is_no_show(row, now=now)
    return {
        "signed_up": [r for r in rows if r.status == SignupStatus.SIGNED_UP],
        "waiting": [r for r in rows if r.status == SignupStatus.WAITLISTED],
        "left": [
            r
            for r in rows
            if r.status in (SignupStatus.CANCELLED, SignupStatus.SWAPPED_OUT)
        ],
        "no_shows": sum(1 for r in rows if r.no_show and not r.excused_at),
        "excused": sum(1 for r in rows if r.no_show and r.excused_at),
    }
