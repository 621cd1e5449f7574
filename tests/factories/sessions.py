"""Offline sessions for tests.  Rows are made directly (not through the
services) so a test can set up any state, including ones the services
would refuse."""

import datetime
from decimal import Decimal

from django.utils import timezone

from courses.models import Cohort, CohortMember, OfflineSession
from lms.core import checkin

#: A fixed moment for service tests (a Tuesday, 09:00 in Shanghai).
T0 = datetime.datetime(
    2026, 3, 3, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))
)


def make_session(
    unit,
    *,
    title="压力管理讲座",
    starts_at=None,
    minutes=90,
    hours="1.5",
    capacity=None,
    cohort=None,
    kind=OfflineSession.Kind.LECTURE,
    place="东区站二楼会议室",
    facilitators=(),
) -> OfflineSession:
    """A session of ``unit``; by default it started five minutes ago, so
    check-in is open now."""
    starts_at = starts_at or timezone.now() - datetime.timedelta(minutes=5)
    session = OfflineSession.objects.create(
        kind=kind,
        title=title,
        unit=unit,
        cohort=cohort,
        place=place,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        credit_hours=Decimal(hours),
        capacity=capacity,
    )
    session.facilitators.set(facilitators)
    return session


def make_session_cohort(unit, *, members=(), name="2026 新警心理专题训练班") -> Cohort:
    cohort = Cohort.objects.create(
        name=name,
        unit=unit,
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    for person in members:
        CohortMember.objects.create(cohort=cohort, person=person)
    return cohort


def token_now(session, now=None) -> str:
    return checkin.current_token(session.check_in_keys, now or timezone.now())


def code_now(session, now=None) -> str:
    return checkin.short_code(session.check_in_keys, now or timezone.now())
