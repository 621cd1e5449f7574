"""Reads for offline sessions, scoped to the acting user; the row forms
of the same rules are in ``courses.permissions``.

Who sees a session:

- coordinators and leaders: every session of a unit in their subtree;
- everyone: sessions of their home unit *and of the units above it* (a
  city lecture is for the whole city), sessions of the cohorts they
  belong to, and sessions they facilitate.

Who may attend (check in, or be marked by hand) is the second list
without the first: people whose home unit is the session's unit or below
it, and members of the session's cohort.  A coordinator of a county sees
a room's sessions but is not on their list.

Views fetch through these, so a session outside what the user sees is a
404; inside it, a user without the right gets 403.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from lms.core import checkin
from lms.core.models import User
from lms.core.selectors import units_manageable_by, units_visible_to

from ..models import Attendance, AttendanceChange, OfflineSession


def _sessions() -> QuerySet[OfflineSession]:
    return OfflineSession.objects.select_related("unit", "cohort")


def _attendable_q(user: User) -> Q:
    condition = Q(cohort__memberships__person=user)
    if user.home_unit_id is not None:
        condition |= user.home_unit.ancestors_q("unit__")
    return condition


def sessions_manageable_by(*, user: User) -> QuerySet[OfflineSession]:
    """Sessions a coordinator runs: those of units in their subtree (the
    rule of ``courses.permissions.can_manage_session``)."""
    if user.is_superuser:
        return _sessions()
    return _sessions().filter(unit__in=units_manageable_by(user=user))


def sessions_attendable_by(*, user: User) -> QuerySet[OfflineSession]:
    """Sessions the user is on the list for (see the module docstring)."""
    if not user.is_authenticated:
        return OfflineSession.objects.none()
    ids = OfflineSession.objects.filter(_attendable_q(user)).values("pk")
    return _sessions().filter(pk__in=ids)


def sessions_visible_to(*, user: User) -> QuerySet[OfflineSession]:
    """Sessions the user may open at all."""
    if user.is_superuser:
        return _sessions()
    if not user.is_authenticated:
        return OfflineSession.objects.none()
    condition = _attendable_q(user) | Q(facilitators=user)
    condition |= Q(unit__in=units_visible_to(user=user))
    ids = OfflineSession.objects.filter(condition).values("pk")
    return _sessions().filter(pk__in=ids)


def session_get_for(*, user: User, pk: int) -> OfflineSession:
    return get_object_or_404(sessions_visible_to(user=user), pk=pk)


def sessions_for_code_entry(*, user: User) -> QuerySet[OfflineSession]:
    """Today's sessions (Asia/Shanghai) the user may check in to or out of,
    for the short-code form."""
    today = timezone.localdate()
    return (
        sessions_attendable_by(user=user)
        .filter(starts_at__date__lte=today, ends_at__date__gte=today)
        .order_by("starts_at", "pk")
    )


def session_open_now(
    *, sessions, now: datetime.datetime | None = None
) -> OfflineSession | None:
    """Of ``sessions``, the one a person at the door most likely means: one
    open for check-in now (the latest to start), else one open for
    check-out only, else None.  The short-code form starts on it."""
    now = now or timezone.now()
    by_phase = defaultdict(list)
    for session in sessions:
        phase = checkin.phase(
            starts_at=session.starts_at, ends_at=session.ends_at, now=now
        )
        by_phase[phase].append(session)
    for phase in ("open", "check_out_only"):
        if by_phase[phase]:
            return max(by_phase[phase], key=lambda s: (s.starts_at, s.pk))
    return None


def session_for_code(
    *, sessions, chosen: OfflineSession, code: str, now: datetime.datetime
) -> OfflineSession:
    """The session a short code belongs to: ``chosen`` when the code is its
    own (or is no session's), else the one other session of ``sessions``
    open now whose screen shows this code.

    So a person who left the form on the wrong session is not told that a
    right code is wrong.  Nothing is counted here: the check-in service
    verifies the code again against the session returned, and counts a
    wrong one against ``chosen``.
    """
    if _code_fits(chosen, code, now):
        return chosen
    others = [
        session
        for session in sessions
        if session.pk != chosen.pk
        and checkin.phase(starts_at=session.starts_at, ends_at=session.ends_at, now=now)
        in ("open", "check_out_only")
        and _code_fits(session, code, now)
    ]
    return others[0] if len(others) == 1 else chosen


def _code_fits(session: OfflineSession, code: str, now: datetime.datetime) -> bool:
    try:
        checkin.check_short_code(code, session.check_in_keys, now)
    except checkin.CheckInRefused:
        return False
    return True


def people_on_list(*, session: OfflineSession) -> QuerySet[User]:
    """Everyone who may attend: the unit subtree's people and the cohort's
    (the rule of ``courses.permissions.may_attend``)."""
    condition = session.unit.subtree_q("home_unit__")
    if session.cohort_id is not None:
        condition |= Q(cohort_memberships__cohort_id=session.cohort_id)
    ids = User.objects.filter(condition, is_active=True).values("pk")
    return User.objects.filter(pk__in=ids).select_related("home_unit")


def person_on_list_by_name(*, session: OfflineSession, name: str) -> User | None:
    """The person on the list with this username or staff number."""
    name = (name or "").strip()
    if not name or len(name) > 150:
        return None
    return (
        people_on_list(session=session)
        .filter(Q(username=name) | Q(staff_number=name))
        .first()
    )


# --- attendance ---------------------------------------------------------------


def present_count(*, session: OfflineSession) -> int:
    return Attendance.objects.filter(
        session=session, status=Attendance.Status.PRESENT
    ).count()


def attendance_of(*, person: User, session: OfflineSession) -> Attendance | None:
    if not person.is_authenticated:
        return None
    return Attendance.objects.filter(session=session, person=person).first()


def attendance_flags(attendance: Attendance, session: OfflineSession) -> dict:
    """Late and early-leave minutes (0 when on time) for one row."""
    late = checkin.minutes_late(
        checked_in_at=attendance.checked_in_at, starts_at=session.starts_at
    )
    early = checkin.minutes_early(
        checked_out_at=attendance.checked_out_at, ends_at=session.ends_at
    )
    return {"minutes_late": late, "minutes_early": early}


def attendance_rows_for(*, session: OfflineSession) -> list[dict]:
    """Every attendance of the session with its late and early-leave flags
    and its hand-made changes, in a fixed number of queries (two)."""
    changes = AttendanceChange.objects.select_related("actor").order_by("at", "pk")
    rows = (
        Attendance.objects.filter(session=session)
        .select_related("person", "person__home_unit")
        .prefetch_related(Prefetch("changes", queryset=changes))
        .order_by("checked_in_at", "person__full_name", "pk")
    )
    return [
        {"attendance": row, "changes": [_labelled(c) for c in row.changes.all()]}
        | attendance_flags(row, session)
        for row in rows
    ]


def _status_label(value) -> str:
    return (
        str(Attendance.Status(value).label)
        if value in Attendance.Status.values
        else "—"
    )


def _labelled(change: AttendanceChange) -> AttendanceChange:
    change.before_label = _status_label((change.before or {}).get("status"))
    change.after_label = _status_label((change.after or {}).get("status"))
    return change


def attendance_summary(rows: list[dict]) -> dict:
    present = [r for r in rows if r["attendance"].status == Attendance.Status.PRESENT]
    return {
        "present": len(present),
        "absent": len(rows) - len(present),
        "late": sum(1 for r in present if r["minutes_late"]),
        "early": sum(1 for r in present if r["minutes_early"]),
    }


def sessions_with_counts(queryset: QuerySet[OfflineSession]) -> QuerySet:
    """``queryset`` annotated with the number present (for listings)."""
    return queryset.annotate(
        present=Count(
            "attendances", filter=Q(attendances__status=Attendance.Status.PRESENT)
        )
    )


def upcoming_sessions_for(*, user: User, days: int = 14) -> list[OfflineSession]:
    """Sessions the user may attend from now until ``days`` ahead, for
    their home page."""
    now = timezone.now()
    return list(
        sessions_attendable_by(user=user)
        .filter(ends_at__gte=now, starts_at__lte=now + datetime.timedelta(days=days))
        .order_by("starts_at")[:10]
    )
