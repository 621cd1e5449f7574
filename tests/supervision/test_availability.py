"""The availability rule (``supervision.selectors.availability``) in its two
forms: ``busy_q`` (a filter, for the directory and the proposal) and
``clashes`` (the sentences) agree on who is busy, for random shifts,
sessions and call-outs around a random range of days."""

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.models import Attendance
from lms.core.models import User
from supervision.models import CallOut, Deployment, ShiftSignup
from supervision.selectors.availability import busy_q, clashes
from tests.factories.core import UserFactory
from tests.factories.deployments import make_callout, make_deployment
from tests.factories.sessions import make_session, make_session_cohort
from tests.factories.supervision import make_shift, make_signup

pytestmark = pytest.mark.django_db

BASE = datetime.date(2026, 6, 10)


def _at(day_offset: int, hour: int) -> datetime.datetime:
    day = BASE + datetime.timedelta(days=day_offset)
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


event = st.tuples(
    st.sampled_from(
        [
            "signup",
            "waitlisted",
            "cancelled_shift",
            "facilitator",
            "attended",
            "cohort",
            "called",
            "accepted",
            "declined",
            "closed_deployment",
        ]
    ),
    st.integers(min_value=0, max_value=3),  # which person
    st.integers(min_value=-3, max_value=6),  # first day, from BASE
    st.integers(min_value=0, max_value=2),  # length in days (deployments)
    st.sampled_from([0, 8, 22]),  # hour (shifts, sessions)
)


def _make(kind, person, first, length, hour, org, deployments):
    unit = org.east
    if kind in {"signup", "waitlisted", "cancelled_shift"}:
        shift = make_shift(unit, starts_at=_at(first, hour), hours=4)
        if kind == "cancelled_shift":
            shift.cancelled_at = timezone.now()
            shift.save()
        status = (
            ShiftSignup.Status.WAITLISTED
            if kind == "waitlisted"
            else ShiftSignup.Status.SIGNED_UP
        )
        make_signup(shift, person, status=status)
    elif kind in {"facilitator", "attended", "cohort"}:
        cohort = (
            make_session_cohort(unit, members=[person]) if kind == "cohort" else None
        )
        session = make_session(
            unit,
            starts_at=_at(first, hour),
            minutes=180,
            cohort=cohort,
            facilitators=[person] if kind == "facilitator" else (),
        )
        if kind == "attended":
            Attendance.objects.create(
                session=session, person=person, method=Attendance.Method.MANUAL
            )
    else:
        status = (
            Deployment.Status.CLOSED
            if kind == "closed_deployment"
            else Deployment.Status.CALLED
        )
        deployment = make_deployment(
            unit,
            created_by=org.coordinator,
            starts_on=BASE + datetime.timedelta(days=first),
            ends_on=BASE + datetime.timedelta(days=first + length),
            status=status,
        )
        deployments.append(deployment)
        answer = {
            "called": CallOut.Status.CALLED,
            "accepted": CallOut.Status.ACCEPTED,
            "declined": CallOut.Status.DECLINED,
            "closed_deployment": CallOut.Status.ACCEPTED,
        }[kind]
        make_callout(deployment, person, status=answer)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    events=st.lists(event, max_size=8),
    start=st.integers(min_value=0, max_value=3),
    length=st.integers(min_value=0, max_value=2),
    exclude_first=st.booleans(),
)
def test_busy_q_and_clashes_name_the_same_people(
    org, events, start, length, exclude_first
):
    people = [UserFactory(home_unit=org.east) for _ in range(4)]
    deployments = []
    for kind, who, first, days, hour in events:
        _make(kind, people[who], first, days, hour, org, deployments)
    begin = BASE + datetime.timedelta(days=start)
    end = begin + datetime.timedelta(days=length)
    exclude = deployments[0] if exclude_first and deployments else None
    ids = [person.pk for person in people]
    busy = set(
        User.objects.filter(pk__in=ids)
        .filter(busy_q(begin, end, exclude_deployment=exclude))
        .values_list("pk", flat=True)
    )
    said = clashes(ids, begin, end, exclude_deployment=exclude)
    assert busy == set(said)
    assert all(said[pk] for pk in said)


def test_a_shift_ending_at_midnight_before_the_range_is_no_clash(org):
    person = UserFactory(home_unit=org.east)
    make_signup(make_shift(org.east, starts_at=_at(-1, 20), hours=4), person)
    assert clashes([person.pk], BASE, BASE) == {}
    assert not User.objects.filter(pk=person.pk).filter(busy_q(BASE, BASE)).exists()


def test_a_waitlisted_place_or_a_declined_call_out_is_no_clash(org):
    person = UserFactory(home_unit=org.east)
    make_signup(
        make_shift(org.east, starts_at=_at(0, 9)),
        person,
        status=ShiftSignup.Status.WAITLISTED,
    )
    deployment = make_deployment(
        org.east, created_by=org.coordinator, starts_on=BASE, ends_on=BASE
    )
    make_callout(deployment, person, status=CallOut.Status.DECLINED)
    assert clashes([person.pk], BASE, BASE) == {}


def test_each_kind_of_clash_is_said_in_words(org):
    person = UserFactory(home_unit=org.east)
    make_signup(make_shift(org.east, starts_at=_at(0, 9)), person)
    make_session(
        org.east, title="危机干预演练", starts_at=_at(0, 14), facilitators=[person]
    )
    deployment = make_deployment(
        org.east,
        created_by=org.coordinator,
        starts_on=BASE,
        ends_on=BASE,
        title="静默期心理援助",
    )
    make_callout(deployment, person, status=CallOut.Status.ACCEPTED)
    said = " ".join(clashes([person.pk], BASE, BASE)[person.pk])
    assert org.east.name in said
    assert "危机干预演练" in said
    assert "静默期心理援助" in said
    # the deployment being assembled does not clash with itself
    again = clashes([person.pk], BASE, BASE, exclude_deployment=deployment)
    assert "静默期心理援助" not in " ".join(again[person.pk])
