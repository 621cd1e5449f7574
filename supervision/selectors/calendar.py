"""Reads for a person's calendar feed: the feed row behind a secret, and
the events it carries (their shifts, sessions and cohort deadlines).

The feed carries, from 31 days back to 180 days ahead:

- shifts the person holds a place on (signed up); a shift called off
  stays in the feed as cancelled, so a subscribed calendar strikes it;
- offline sessions of the cohorts they belong to, sessions they
  facilitate, and sessions they attended (whatever the cohort);
- due dates of their cohorts' assignments, as all-day events.

Nothing else: no case data, no growth notes, nobody else's names beyond
the supervisor on duty and the place.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Attendance, CohortAssignment, CohortMember, OfflineSession
from lms.core.models import User

from ..models import CalendarFeed, ShiftSignup

#: How far back and ahead the feed reaches.
PAST_DAYS = 31
AHEAD_DAYS = 180
#: At most this many events of each kind.
LIMIT = 500


@dataclass(frozen=True)
class Event:
    uid: str
    summary: str
    starts: datetime.datetime | datetime.date
    ends: datetime.datetime | datetime.date
    location: str = ""
    description: str = ""
    cancelled: bool = False

    @property
    def all_day(self) -> bool:
        return not isinstance(self.starts, datetime.datetime)


def feed_of(*, person: User) -> CalendarFeed:
    """The person's feed row, made on first use."""
    return CalendarFeed.objects.get_or_create(person=person)[0]


def feed_for_secret(secret: str) -> CalendarFeed | None:
    """The feed of an active person behind ``secret``; None for anything
    else (a wrong, reset or malformed secret, a deactivated person)."""
    if not secret or len(secret) > 64:
        return None
    return (
        CalendarFeed.objects.select_related("person")
        .filter(secret=secret, person__is_active=True)
        .first()
    )


def _shift_events(person, start, end) -> list[Event]:
    rows = (
        ShiftSignup.objects.filter(
            person=person,
            status=ShiftSignup.Status.SIGNED_UP,
            shift__starts_at__gte=start,
            shift__starts_at__lt=end,
        )
        .select_related("shift__unit", "shift__supervisor")
        .order_by("shift__starts_at")[:LIMIT]
    )
    events = []
    for row in rows:
        shift = row.shift
        lines = [_("Duty shift") + " · " + str(shift.unit)]
        if shift.supervisor:
            lines.append(_("Supervisor on duty: %(name)s") % {"name": shift.supervisor})
        events.append(
            Event(
                uid=f"shift-{shift.pk}",
                summary=_("Duty shift: %(title)s") % {"title": shift},
                starts=shift.starts_at,
                ends=shift.ends_at,
                location=shift.place,
                description="\n".join(lines),
                cancelled=shift.cancelled_at is not None,
            )
        )
    return events


def _cohort_ids(person):
    return CohortMember.objects.filter(person=person).values("cohort_id")


def _session_events(person, start, end) -> list[Event]:
    attended = Attendance.objects.filter(session=OuterRef("pk"), person=person)
    sessions = (
        OfflineSession.objects.filter(
            Q(cohort__in=_cohort_ids(person))
            | Q(facilitators=person)
            | Exists(attended),
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("unit", "cohort")
        .distinct()
        .order_by("starts_at")[:LIMIT]
    )
    events = []
    for session in sessions:
        lines = [session.get_kind_display() + " · " + str(session.unit)]
        if session.cohort:
            lines.append(str(session.cohort))
        events.append(
            Event(
                uid=f"session-{session.pk}",
                summary=str(session),
                starts=session.starts_at,
                ends=session.ends_at,
                location=session.place,
                description="\n".join(lines),
            )
        )
    return events


def _deadline_events(person, start, end) -> list[Event]:
    rows = (
        CohortAssignment.objects.filter(
            cohort__in=_cohort_ids(person),
            due_on__isnull=False,
            due_on__gte=timezone.localdate(start),
            due_on__lt=timezone.localdate(end),
        )
        .select_related("cohort", "page")
        .order_by("due_on", "pk")[:LIMIT]
    )
    return [
        Event(
            uid=f"due-{row.pk}",
            summary=_("Due: %(title)s") % {"title": row.page.title},
            starts=row.due_on,
            ends=row.due_on + datetime.timedelta(days=1),
            description=_("Cohort: %(name)s") % {"name": row.cohort},
        )
        for row in rows
    ]


def feed_events(*, person: User, now: datetime.datetime | None = None) -> list[Event]:
    """Everything the person's feed carries, in order of start; three
    queries."""
    now = now or timezone.now()
    start = now - datetime.timedelta(days=PAST_DAYS)
    end = now + datetime.timedelta(days=AHEAD_DAYS)
    events = [
        *_shift_events(person, start, end),
        *_session_events(person, start, end),
        *_deadline_events(person, start, end),
    ]

    def key(event: Event):
        if event.all_day:
            return timezone.make_aware(
                datetime.datetime.combine(event.starts, datetime.time.min)
            )
        return event.starts

    return sorted(events, key=key)
