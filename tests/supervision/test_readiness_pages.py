"""The readiness pages: /practice/crisis/teams/ lists the teams a user may
open with their counts; a team's page shows every member's row to
coordinators and leaders over the team's unit and to its lead, only their
own row (and the counts) to a member, and is not found by anyone else."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import Role
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory
from tests.factories.crisis import make_drill, make_team

LIST = reverse("supervision:crisis_team_list")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def teams(org):
    today = timezone.localdate()
    org.helper = UserFactory(
        username="helper", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    track = make_track(org.east, name="危机干预")
    org.east_team = make_team(
        org.east,
        name="东区危机干预小组",
        lead=org.supervisor,
        members=[org.trainee, org.helper],
        tracks=[track],
    )
    make_certificate(org.trainee, track, expires_on=None)
    make_drill(
        org.east_team, today - datetime.timedelta(days=20), present=[org.trainee]
    )
    org.west_team = make_team(
        org.west, name="西区战时心理小分队", members=[org.west_trainee]
    )
    return org


def _teams_listed(client, user) -> set[int]:
    client.force_login(user)
    response = client.get(LIST)
    assert response.status_code == 200
    return {row["team"].pk for row in response.context["rows"]}


def _detail(team):
    return reverse("supervision:crisis_team_detail", args=[team.pk])


@pytest.mark.parametrize(
    "name, east, west",
    [
        ("coordinator", True, False),
        ("leader", True, False),
        ("city_leader", True, True),
        ("sibling", False, True),
        ("supervisor", True, False),  # the lead
        ("trainee", True, False),  # a member
        ("west_trainee", False, True),  # a member of the west team
    ],
)
def test_the_list_shows_the_teams_in_scope_only(teams, client, name, east, west):
    listed = _teams_listed(client, getattr(teams, name))
    assert (teams.east_team.pk in listed) is east
    assert (teams.west_team.pk in listed) is west


def test_someone_in_no_team_and_no_scope_sees_an_empty_list(teams, client):
    outsider = UserFactory(home_unit=teams.east_room, roles=[Role.TRAINEE])
    client.force_login(outsider)
    response = client.get(LIST)
    assert response.status_code == 200
    assert 'data-testid="no-teams"' in response.content.decode()


@pytest.mark.parametrize("name", ["coordinator", "leader", "city_leader", "supervisor"])
def test_managers_and_the_lead_see_every_member_with_reasons(teams, client, name):
    client.force_login(getattr(teams, name))
    response = client.get(_detail(teams.east_team))
    assert response.status_code == 200
    page = response.content.decode()
    for person in (teams.trainee, teams.helper, teams.supervisor):
        assert f'data-person="{person.pk}"' in page
    # the helper holds no certificate and drilled never: red, with reasons
    helper = next(m for m in response.context["members"] if m.person == teams.helper)
    assert helper.colour == "red"
    assert "No valid certificate of 危机干预." in page
    assert "No drill of the team attended." in page


def test_a_member_sees_the_counts_and_only_their_own_row(teams, client):
    client.force_login(teams.trainee)
    response = client.get(_detail(teams.east_team))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-person="{teams.trainee.pk}"' in page
    assert f'data-person="{teams.helper.pk}"' not in page
    assert f'data-person="{teams.supervisor.pk}"' not in page
    assert teams.helper.full_name not in page
    assert response.context["counts"] == {"green": 1, "amber": 0, "red": 2}
    assert 'data-testid="my-readiness"' in page


@pytest.mark.parametrize("name", ["sibling", "west_trainee"])
def test_outsiders_do_not_find_the_team(teams, client, name):
    client.force_login(getattr(teams, name))
    assert client.get(_detail(teams.east_team)).status_code == 404


def test_a_trainee_of_the_unit_not_in_the_team_does_not_find_it(teams, client):
    outsider = UserFactory(home_unit=teams.east_room, roles=[Role.TRAINEE])
    client.force_login(outsider)
    assert client.get(_detail(teams.east_team)).status_code == 404
    assert client.get(LIST + "99999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(teams, client):
    response = client.get(_detail(teams.east_team))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_pages_refuse_a_post(teams, client):
    client.force_login(teams.coordinator)
    assert client.post(LIST).status_code == 405
    assert client.post(_detail(teams.east_team)).status_code == 405


def test_only_coordinators_get_the_edit_links(teams, client):
    client.force_login(teams.coordinator)
    assert (
        'data-testid="edit-team"'
        in client.get(_detail(teams.east_team)).content.decode()
    )
    client.force_login(teams.leader)
    assert (
        'data-testid="edit-team"'
        not in client.get(_detail(teams.east_team)).content.decode()
    )


def _list_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(LIST).status_code == 200
    return len(captured)


def test_the_list_takes_a_fixed_number_of_queries_as_teams_grow(teams, client):
    before = _list_queries(client, teams.coordinator)
    # given three more teams with members, drills and certificates
    track = make_track(teams.east, name="心理援助")
    for number in range(3):
        people = [
            UserFactory(home_unit=teams.east_room, roles=[Role.TRAINEE])
            for _ in range(4)
        ]
        team = make_team(teams.east_room, name=f"小组{number}", members=people)
        team.required_tracks.add(track)
        make_drill(team, timezone.localdate(), present=people[:2])
        make_certificate(people[0], track)
    # then
    assert _list_queries(client, teams.coordinator) == before
