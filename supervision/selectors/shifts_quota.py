"""The monthly duty-shift quota: the pure calculation (``quota_status``),
one trainee's month (``quota_for``) and the compliance list of a subtree
(``compliance_rows``, a fixed number of queries however many trainees).

Decisions:

- **Which month a shift counts in**: the month of its start in the
  deployment's time zone (Asia/Shanghai), so a shift starting at 23:30 on
  the 31st counts in that month, one at 00:30 on the 1st in the next.
- **Attended**: a place held (signed up, not handed on) on a shift that
  was not called off, with a check-in.  **Upcoming**: a place held on a
  shift that has not ended yet, without a check-in.
- **Exemptions prorate the quota** by the days of the month not covered
  by any exemption, rounding up: 4 shifts with 15 of 30 days exempt is 2.
  A month exempt on every day owes nothing and shows as "exempt".
- **An excused no-show** does not count as a shift attended, and is not
  counted among the no-shows either: it is not held against the person.
- **Traffic light**: green (met) when attended reaches the quota; amber
  (on track) when attended plus upcoming reaches it; red (behind)
  otherwise.  "To go" is never below zero.
"""

import calendar
import datetime
import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from lms.core.models import OrgUnit, Role, User

from ..models import QuotaExemption, Rules, ShiftSignup
from ..rules import rules_by_unit

SignupStatus = ShiftSignup.Status

MET, ON_TRACK, BEHIND, EXEMPT = "met", "on_track", "behind", "exempt"


@dataclass(frozen=True)
class QuotaStatus:
    """One person's standing for one month."""

    quota: int
    required: int
    attended: int
    upcoming: int
    exempt_days: int
    days: int

    @property
    def to_go(self) -> int:
        return max(0, self.required - self.attended)

    @property
    def status(self) -> str:
        if self.required == 0 and self.exempt_days >= self.days:
            return EXEMPT
        if self.attended >= self.required:
            return MET
        if self.attended + self.upcoming >= self.required:
            return ON_TRACK
        return BEHIND


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def month_bounds(first: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The month's first and the next month's first instant, local time."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(next_month(first), datetime.time.min, tzinfo=tz)
    return start, end


def exempt_days_in(
    first: datetime.date, ranges: list[tuple[datetime.date, datetime.date]]
) -> int:
    """Days of the month covered by any of ``ranges`` (overlaps once)."""
    last = next_month(first) - datetime.timedelta(days=1)
    covered: set[datetime.date] = set()
    for starts_on, ends_on in ranges:
        day, end = max(starts_on, first), min(ends_on, last)
        while day <= end:
            covered.add(day)
            day += datetime.timedelta(days=1)
    return len(covered)


def quota_status(
    *,
    quota: int,
    month: datetime.date,
    attended: int,
    upcoming: int = 0,
    exemptions: list[tuple[datetime.date, datetime.date]] = (),
) -> QuotaStatus:
    """The pure calculation (module docstring): ``quota`` prorated by the
    exempt days of ``month``, against the counts given."""
    first = month_start(month)
    days = calendar.monthrange(first.year, first.month)[1]
    exempt = exempt_days_in(first, list(exemptions))
    required = math.ceil(max(0, quota) * (days - exempt) / days)
    return QuotaStatus(
        quota=max(0, quota),
        required=required,
        attended=max(0, attended),
        upcoming=max(0, upcoming),
        exempt_days=exempt,
        days=days,
    )


# --- reading the counts -------------------------------------------------------


def quotas_by_unit(units: list[OrgUnit]) -> dict[int, int]:
    """The monthly quota in force for each unit, in one query (see
    ``rules_by_unit``)."""
    return {pk: rules.monthly_shift_quota for pk, rules in rules_by_unit(units).items()}


def _counts(people_ids, first: datetime.date, now: datetime.datetime) -> dict:
    start, end = month_bounds(first)
    held = Q(
        shift_signups__status=SignupStatus.SIGNED_UP,
        shift_signups__shift__cancelled_at__isnull=True,
        shift_signups__shift__starts_at__gte=start,
        shift_signups__shift__starts_at__lt=end,
    )
    checked = Q(shift_signups__checked_in_at__isnull=False)
    missed = Q(shift_signups__checked_in_at__isnull=True) & Q(
        shift_signups__shift__ends_at__lt=now
    )
    excused = Q(shift_signups__excused_at__isnull=False)
    rows = (
        User.objects.filter(pk__in=people_ids)
        .annotate(
            attended=Count("shift_signups", filter=held & checked),
            upcoming=Count(
                "shift_signups",
                filter=held & ~checked & Q(shift_signups__shift__ends_at__gte=now),
            ),
            no_shows=Count("shift_signups", filter=held & missed & ~excused),
            excused=Count("shift_signups", filter=held & missed & excused),
        )
        .values("pk", "attended", "upcoming", "no_shows", "excused")
    )
    return {row["pk"]: row for row in rows}


def _exemptions(people_ids, first: datetime.date) -> dict[int, list]:
    last = next_month(first) - datetime.timedelta(days=1)
    ranges: dict[int, list] = {}
    for row in QuotaExemption.objects.filter(
        person__in=people_ids, starts_on__lte=last, ends_on__gte=first
    ).values("person_id", "starts_on", "ends_on", "reason"):
        ranges.setdefault(row["person_id"], []).append(row)
    return ranges


def quota_rows(
    people: list[User], *, month: datetime.date, now: datetime.datetime | None = None
) -> list[dict]:
    """One row per person (``home_unit`` loaded) with their counts and
    ``QuotaStatus``; four queries whatever the number of people."""
    now = now or timezone.now()
    first = month_start(month)
    ids = [person.pk for person in people]
    counts = _counts(ids, first, now)
    exemptions = _exemptions(ids, first)
    quotas = quotas_by_unit(
        list({p.home_unit_id: p.home_unit for p in people}.values())
    )
    rows = []
    for person in people:
        count = counts.get(person.pk, {})
        ranges = exemptions.get(person.pk, [])
        status = quota_status(
            quota=quotas.get(person.home_unit_id, Rules.monthly_shift_quota),
            month=first,
            attended=count.get("attended", 0),
            upcoming=count.get("upcoming", 0),
            exemptions=[(r["starts_on"], r["ends_on"]) for r in ranges],
        )
        rows.append(
            {
                "person": person,
                "quota": status,
                "no_shows": count.get("no_shows", 0),
                "excused": count.get("excused", 0),
                "exemptions": ranges,
            }
        )
    return rows


def quota_for(*, person: User, now: datetime.datetime | None = None) -> dict | None:
    """This month's row for one person (None without a home unit)."""
    now = now or timezone.now()
    if person.home_unit_id is None:
        return None
    return quota_rows([person], month=timezone.localtime(now).date(), now=now)[0]


def trainees_in(unit: OrgUnit) -> QuerySet[User]:
    """Active trainees whose home unit is ``unit`` or below it."""
    return (
        User.objects.filter(
            unit.subtree_q("home_unit__"), is_active=True, groups__name=Role.TRAINEE
        )
        .select_related("home_unit")
        .order_by("home_unit__path", "full_name", "username")
    )


def compliance_rows(
    *, unit: OrgUnit, month: datetime.date, now: datetime.datetime | None = None
) -> list[dict]:
    """The compliance list of ``unit``'s subtree for ``month``: five
    queries however many trainees."""
    return quota_rows(list(trainees_in(unit)), month=month, now=now)
