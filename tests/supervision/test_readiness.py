"""Readiness of a standing crisis team's members: colours at their
boundaries (a drill exactly one interval ago, 30 days ahead, a certificate
expiring today or tomorrow), what does not count as a drill, and a fixed
number of queries however many teams and members."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.core.models import Role
from supervision.models import Certificate
from supervision.selectors.crisis import (
    AMBER,
    GREEN,
    RED,
    add_months,
    readiness,
    readiness_many,
)
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory
from tests.factories.crisis import make_drill, make_team

TODAY = datetime.date(2026, 6, 15)
ISSUED = datetime.date(2024, 1, 10)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def team(org):
    track = make_track(org.east, name="危机干预")
    return make_team(org.east, members=[org.trainee], tracks=[track], interval=12)


def _certify(person, team, expires_on):
    return make_certificate(
        person, team.required_tracks.get(), issued_on=ISSUED, expires_on=expires_on
    )


def _colour(team, person, today=TODAY):
    return readiness(team, today).member(person.pk)


# --- drills ----------------------------------------------------------------------


def test_a_drill_exactly_one_interval_ago_still_counts_today(org, team):
    # given a valid certificate and a drill exactly twelve months ago
    _certify(org.trainee, team, None)
    make_drill(team, add_months(TODAY, -12), present=[org.trainee])
    # then the drill counts today, its last day: amber, not red
    member = _colour(team, org.trainee)
    assert member.colour == AMBER
    assert member.drill_counts_until == TODAY


def test_a_drill_one_day_beyond_the_interval_is_red(org, team):
    _certify(org.trainee, team, None)
    make_drill(
        team, add_months(TODAY, -12) - datetime.timedelta(days=1), present=[org.trainee]
    )
    member = _colour(team, org.trainee)
    assert member.colour == RED
    assert any("12" in reason for reason in member.reasons)


@pytest.mark.parametrize(
    "lapse_in, colour", [(0, AMBER), (1, AMBER), (30, AMBER), (31, GREEN)]
)
def test_a_drill_lapsing_within_30_days_is_amber(org, team, lapse_in, colour):
    # given a drill whose last counting day is ``lapse_in`` days ahead
    _certify(org.trainee, team, None)
    make_drill(team, add_months(days(lapse_in), -12), present=[org.trainee])
    # then
    assert _colour(team, org.trainee).colour == colour


def test_the_latest_drill_attended_is_the_one_that_counts(org, team):
    _certify(org.trainee, team, None)
    make_drill(team, days(-400), present=[org.trainee])
    make_drill(team, days(-10), present=[org.trainee])
    member = _colour(team, org.trainee)
    assert member.colour == GREEN
    assert member.last_drill == days(-10)


def test_absence_another_teams_drill_and_a_future_drill_do_not_count(org, team):
    # given: marked absent at this team's drill, present at another team's
    # drill, and present at a drill later than today
    _certify(org.trainee, team, None)
    other = make_team(org.east, name="战时心理小分队", members=[org.trainee])
    make_drill(team, days(-5), absent=[org.trainee])
    make_drill(other, days(-5), present=[org.trainee])
    make_drill(team, days(1), present=[org.trainee])
    # then no drill of this team was attended
    member = _colour(team, org.trainee)
    assert member.colour == RED
    assert member.last_drill is None
    # and the other team's drill counts for the other team
    assert readiness(other, TODAY).member(org.trainee.pk).colour == GREEN


def test_a_drill_on_today_counts(org, team):
    _certify(org.trainee, team, None)
    make_drill(team, TODAY, present=[org.trainee])
    assert _colour(team, org.trainee).colour == GREEN


# --- certificates ----------------------------------------------------------------


@pytest.mark.parametrize(
    "expires_in, colour",
    [(-1, RED), (0, AMBER), (1, AMBER), (30, AMBER), (31, GREEN), (None, GREEN)],
)
def test_certificate_expiry_at_the_boundaries(org, team, expires_in, colour):
    # given a recent drill and a certificate expiring ``expires_in`` days on
    make_drill(team, days(-10), present=[org.trainee])
    _certify(org.trainee, team, None if expires_in is None else days(expires_in))
    # then: valid through its expiry day, amber within 30 days, red after
    assert _colour(team, org.trainee).colour == colour


def test_a_revoked_certificate_is_red(org, team):
    make_drill(team, days(-10), present=[org.trainee])
    certificate = _certify(org.trainee, team, None)
    Certificate.objects.filter(pk=certificate.pk).update(
        status=Certificate.Status.REVOKED
    )
    member = _colour(team, org.trainee)
    assert member.colour == RED
    assert "危机干预" in " ".join(member.reasons)


def test_a_renewed_certificate_outlasts_the_one_lapsing(org, team):
    make_drill(team, days(-10), present=[org.trainee])
    lapsing = _certify(org.trainee, team, days(5))
    make_certificate(
        org.trainee, issued_on=days(-1), expires_on=days(800), renews=lapsing
    )
    assert _colour(team, org.trainee).colour == GREEN


def test_every_required_track_is_needed(org, team):
    # given a second required track without a certificate
    second = make_track(org.east, name="心理援助")
    team.required_tracks.add(second)
    make_drill(team, days(-10), present=[org.trainee])
    first = team.required_tracks.exclude(pk=second.pk).get()
    make_certificate(org.trainee, first, issued_on=ISSUED, expires_on=None)
    member = _colour(team, org.trainee)
    assert member.colour == RED
    assert member.reasons == ["No valid certificate of 心理援助."]


def test_a_team_needing_no_certificate_asks_only_for_drills(org):
    team = make_team(org.east, members=[org.trainee])
    make_drill(team, days(-10), present=[org.trainee])
    assert _colour(team, org.trainee).colour == GREEN


def test_an_inactive_account_is_red(org, team):
    _certify(org.trainee, team, None)
    make_drill(team, days(-10), present=[org.trainee])
    org.trainee.is_active = False
    org.trainee.save(update_fields=["is_active"])
    assert _colour(team, org.trainee).colour == RED


def test_amber_reasons_say_what_lapses_and_when(org, team):
    _certify(org.trainee, team, days(3))
    make_drill(team, add_months(days(10), -12), present=[org.trainee])
    member = _colour(team, org.trainee)
    assert member.colour == AMBER
    assert len(member.reasons) == 2
    assert days(3).isoformat() in member.reasons[0]
    assert days(10).isoformat() in member.reasons[1]


# --- the colour is the worst of its parts ----------------------------------------


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    drill_ago=st.one_of(st.none(), st.integers(min_value=0, max_value=500)),
    expires_in=st.one_of(st.none(), st.integers(min_value=-40, max_value=60)),
    certified=st.booleans(),
)
def test_the_colour_is_the_worst_of_certificate_and_drill(
    org, drill_ago, expires_in, certified
):
    # given one member with any drill and certificate
    track = make_track(org.east, name="危机干预")
    person = UserFactory(home_unit=org.east_room, roles=[Role.TRAINEE])
    team = make_team(org.east, members=[person], tracks=[track])
    if drill_ago is not None:
        make_drill(team, days(-drill_ago), present=[person])
    if certified:
        expiry = None if expires_in is None else days(expires_in)
        make_certificate(person, track, issued_on=ISSUED, expires_on=expiry)
    # when
    colour = _colour(team, person).colour
    # then it is the worse of the two parts, each read directly
    order = {GREEN: 0, AMBER: 1, RED: 2}
    if not certified or (expires_in is not None and expires_in < 0):
        certificate_part = RED
    elif expires_in is not None and expires_in <= 30:
        certificate_part = AMBER
    else:
        certificate_part = GREEN
    if drill_ago is None:
        drill_part = RED
    else:
        last = add_months(days(-drill_ago), 12)
        drill_part = RED if last < TODAY else AMBER if last <= days(30) else GREEN
    assert colour == max(certificate_part, drill_part, key=order.get)


# --- queries ---------------------------------------------------------------------


def _teams_with_members(org, count, size):
    track = make_track(org.east, name="危机干预")
    teams = []
    for number in range(count):
        people = [
            UserFactory(home_unit=org.east_room, roles=[Role.TRAINEE])
            for _ in range(size)
        ]
        team = make_team(org.east, name=f"小组{number}", members=people, tracks=[track])
        make_drill(team, days(-20), present=people[: size // 2])
        for person in people[::2]:
            make_certificate(person, track, issued_on=ISSUED, expires_on=days(10))
        teams.append(team)
    return teams


def _queries(teams) -> int:
    with CaptureQueriesContext(connection) as captured:
        found = readiness_many(teams, TODAY)
        for team_readiness in found.values():
            for member in team_readiness.members:
                str(member.person.home_unit)
    return len(captured)


def test_readiness_of_many_teams_takes_a_fixed_number_of_queries(org):
    small = _queries(_teams_with_members(org, 1, 2))
    large = _queries(_teams_with_members(org, 4, 9))
    assert small == large <= 5


def test_members_are_listed_worst_first(org):
    (team,) = _teams_with_members(org, 1, 6)
    colours = [member.colour for member in readiness(team, TODAY).members]
    order = {RED: 0, AMBER: 1, GREEN: 2}
    assert colours == sorted(colours, key=order.get)
    assert readiness(team, TODAY).counts == {
        GREEN: colours.count(GREEN),
        AMBER: colours.count(AMBER),
        RED: colours.count(RED),
    }
