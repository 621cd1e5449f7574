"""The ranked proposal: who is left out (busy, missing or lapsing
certificates, outside the subtree, below the tier), the stated order, the
reasons, and a query count that does not grow with the pool."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.core.models import OrgUnit
from supervision.models import CallOut, Certificate, Deployment, PracticeEntry
from supervision.selectors.proposal import propose
from tests.factories.certificates import make_track
from tests.factories.core import make_unit
from tests.factories.deployments import (
    certify,
    days,
    make_callout,
    make_deployment,
    make_person,
    make_scheme,
    place,
)
from tests.factories.sessions import make_session, make_session_cohort
from tests.factories.supervision import make_entry, make_shift, make_signup

pytestmark = pytest.mark.django_db


def _names(candidates):
    return [c.person.username for c in candidates]


def _ask(org, **kwargs):
    kwargs.setdefault("unit", org.east_room)
    kwargs.setdefault("size", 3)
    kwargs.setdefault("start", days(1))
    kwargs.setdefault("end", days(3))
    kwargs.setdefault("scope_unit", org.east)
    return propose(**kwargs)


def test_people_outside_the_subtree_are_never_proposed(org):
    # given people in the east room, the east station and the west room
    make_person(org.east_room, "in_room")
    make_person(org.east, "in_station")
    make_person(org.west_room, "beside")
    make_person(org.city, "above")
    # when the east coordinator's proposal is asked
    names = _names(_ask(org))
    # then only the east subtree is in it
    assert "in_room" in names and "in_station" in names
    assert "beside" not in names and "above" not in names
    assert "west_trainee" not in names


def test_inactive_people_are_never_proposed(org):
    gone = make_person(org.east_room, "gone")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    assert "gone" not in _names(_ask(org))


def test_a_shift_a_session_or_another_deployment_in_the_range_leaves_one_out(org):
    # given three people each busy with one thing on day 2, one free
    shift_person = make_person(org.east_room, "on_shift")
    session_person = make_person(org.east_room, "in_session")
    deployed = make_person(org.east_room, "deployed")
    make_person(org.east_room, "free")
    start = timezone.now() + datetime.timedelta(days=2)
    make_signup(make_shift(org.east, starts_at=start), shift_person)
    cohort = make_session_cohort(org.east, members=[session_person])
    make_session(org.east, starts_at=start, cohort=cohort)
    other = make_deployment(
        org.east, created_by=org.coordinator, starts_on=days(2), ends_on=days(9)
    )
    make_callout(other, deployed, status=CallOut.Status.ACCEPTED)
    # when
    names = _names(_ask(org))
    # then
    assert "free" in names
    assert not {"on_shift", "in_session", "deployed"} & set(names)


def test_the_deployment_asked_for_makes_nobody_busy_but_is_not_proposed_again(org):
    deployment = make_deployment(org.east, created_by=org.coordinator)
    called = make_person(org.east_room, "called")
    declined = make_person(org.east_room, "declined")
    make_callout(deployment, called)
    make_callout(deployment, declined, status=CallOut.Status.DECLINED)
    names = _names(_ask(org, exclude_deployment=deployment))
    assert "called" not in names and "declined" not in names
    # and without the exclusion the waiting one is busy (holds a place)
    assert "called" not in _names(_ask(org))


def test_a_required_certificate_must_be_in_force_to_the_last_day(org):
    track = make_track(org.city, code="crisis-cert")
    valid = make_person(org.east_room, "valid")
    certify(valid, track)
    lapsing = make_person(org.east_room, "lapsing")
    certify(lapsing, track, expires_on=days(2))  # before the last day (3)
    expired = make_person(org.east_room, "expired")
    certify(expired, track, expires_on=days(-1))
    revoked = make_person(org.east_room, "revoked")
    certify(revoked, track, status=Certificate.Status.REVOKED)
    make_person(org.east_room, "none")
    on_the_day = make_person(org.east_room, "on_the_day")
    certify(on_the_day, track, expires_on=days(3))
    names = _names(_ask(org, tracks=[track]))
    assert sorted(names) == ["on_the_day", "valid"]


def test_every_required_track_is_needed(org):
    first, second = make_track(org.city, code="a"), make_track(org.city, code="b")
    both = make_person(org.east_room, "both")
    certify(both, first)
    certify(both, second)
    one = make_person(org.east_room, "one")
    certify(one, first)
    assert _names(_ask(org, tracks=[first, second])) == ["both"]


def test_a_tier_admits_its_rank_and_more_senior_tiers_of_its_scheme_only(org):
    entry, middle, senior = make_scheme(org.city)
    other_scheme = make_scheme(org.city)
    place(make_person(org.east_room, "entry"), entry)
    place(make_person(org.east_room, "middle"), middle)
    place(make_person(org.east_room, "senior"), senior)
    place(make_person(org.east_room, "elsewhere"), other_scheme[2])
    make_person(org.east_room, "outside")
    names = _names(_ask(org, tier=middle))
    assert names == ["senior", "middle"]


def test_order_fit_then_closeness_then_load_then_name(org):
    # given a deeper tree: east_room has a child room; the city has a
    # second county with a room (outside east, so the city coordinator asks)
    child = make_unit(
        name="东区一室分组",
        code="east-room-a",
        parent=org.east_room,
        level=OrgUnit.Level.GRASSROOTS,
    )
    track, extra = make_track(org.city, code="req"), make_track(org.city, code="x")
    people = {
        "far": make_person(org.west_room, "far", full_name="甲"),
        "station": make_person(org.east, "station", full_name="乙"),
        "room": make_person(org.east_room, "room", full_name="丙"),
        "child": make_person(child, "child", full_name="丁"),
        "busy_load": make_person(org.east_room, "busy_load", full_name="戊"),
        "extra": make_person(org.west_room, "extra", full_name="己"),
    }
    for person in people.values():
        certify(person, track)
    certify(people["extra"], extra)
    past = make_deployment(
        org.east,
        created_by=org.coordinator,
        starts_on=days(-30),
        ends_on=days(-25),
        status=Deployment.Status.CLOSED,
    )
    make_callout(
        past,
        people["busy_load"],
        status=CallOut.Status.ACCEPTED,
        called_at=timezone.now() - datetime.timedelta(days=31),
    )
    make_entry(
        people["busy_load"],
        kind=PracticeEntry.Kind.CRISIS,
        status=PracticeEntry.Status.SUBMITTED,
        occurred_on=days(-20),
        deployment=past,
    )
    # when the city asks for the east room
    found = _ask(org, tracks=[track], scope_unit=org.city)
    # then: an extra certificate first, then the room and its child (same
    # closeness; no load before load), then the station, then the far room
    assert _names(found)[0] == "extra"
    rest = [n for n in _names(found) if n in people and n != "extra"]
    assert rest == ["child", "room", "busy_load", "station", "far"]
    by_name = {c.person.username: c for c in found}
    assert by_name["busy_load"].callouts == 1 and by_name["busy_load"].entries == 1
    assert by_name["room"].distance == 0 and by_name["child"].distance == 0
    assert by_name["station"].distance == 1 and by_name["far"].distance == 2
    keys = [c.order_key for c in found]
    assert keys == sorted(keys)


def test_load_older_than_ninety_days_does_not_count(org):
    person = make_person(org.east_room, "veteran")
    past = make_deployment(
        org.east,
        created_by=org.coordinator,
        starts_on=days(-200),
        ends_on=days(-190),
        status=Deployment.Status.CLOSED,
    )
    make_callout(
        past,
        person,
        status=CallOut.Status.ACCEPTED,
        called_at=timezone.now() - datetime.timedelta(days=95),
    )
    make_entry(person, kind=PracticeEntry.Kind.CRISIS, occurred_on=days(-91))
    make_entry(person, kind=PracticeEntry.Kind.CRISIS, occurred_on=days(-2))  # draft
    found = {c.person.username: c for c in _ask(org)}
    assert found["veteran"].load == 0


def test_the_first_size_people_are_marked_proposed_and_the_limit_holds(org):
    for i in range(6):
        make_person(org.east_room, f"m{i}")
    found = _ask(org, size=2, limit=4)
    assert len(found) == 4
    assert [c.proposed for c in found] == [True, True, False, False]
    assert [c.rank for c in found] == [1, 2, 3, 4]


def test_reasons_say_certificates_tier_place_availability_and_load(org):
    track = make_track(org.city, code="req", name="危机干预")
    extra = make_track(org.city, code="x", name="讲师")
    tiers = make_scheme(org.city)
    person = make_person(org.east, "station")
    certify(person, track)
    certify(person, extra, expires_on=None)
    place(person, tiers[2], review_reason="证书过期")
    (candidate,) = _ask(org, tracks=[track], tier=tiers[1])
    text = "\n".join(candidate.reasons)
    assert "危机干预" in text and "讲师" in text
    assert "层级3" in text and "证书过期" in text
    assert org.east.name in text  # the common ancestor, one level out
    assert candidate.tier_above == 1 and candidate.extra_certificates == 1


def test_the_query_count_does_not_grow_with_the_pool(org):
    track = make_track(org.city, code="req")
    tiers = make_scheme(org.city)

    def grow(n, offset):
        for i in range(n):
            person = make_person(org.east_room, f"q{offset + i}")
            certify(person, track)
            place(person, tiers[i % 3])

    grow(3, 0)
    with CaptureQueriesContext(connection) as small:
        assert len(_ask(org, tracks=[track], tier=tiers[0])) == 3
    grow(30, 100)
    with CaptureQueriesContext(connection) as big:
        assert len(_ask(org, tracks=[track], tier=tiers[0])) == 33
    assert len(big) == len(small) <= 4
