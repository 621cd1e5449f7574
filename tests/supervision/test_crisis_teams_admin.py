"""The admin of standing crisis teams and their drills: coordinators over
the team's unit keep a team with its lead, members and required
certification tracks, and link sessions of their units as drills.  Every
choice list holds only the coordinator's subtree; wrong, empty, huge and
hostile input is refused with a sentence and nothing is written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from lms.core.models import AuditAction, AuditEvent, Notice, Role
from supervision.forms.crisis_teams import CrisisTeamForm, TeamDrillForm
from supervision.models import CrisisTeam, CrisisTeamMember, TeamDrill, Track
from supervision.services import crisis_teams as services
from tests.factories.certificates import make_track
from tests.factories.core import UserFactory
from tests.factories.crisis import make_team
from tests.factories.sessions import make_session

ADD = "crisis_teams_admin:add"
HUGE = "危" * 100_000


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def people(org):
    org.helper = UserFactory(
        username="helper",
        full_name="王援",
        home_unit=org.east_room,
        roles=[Role.TRAINEE],
    )
    org.track = make_track(org.east, name="危机干预")
    org.tier_track = make_track(org.east, name="人才库规则")
    Track.objects.filter(pk=org.tier_track.pk).update(purpose=Track.Purpose.TIER)
    org.west_track = make_track(org.west, name="西区轨道")
    return org


def _data(org, **changes) -> dict:
    data = {
        "name": "东区危机干预小组",
        "kind": CrisisTeam.Kind.INTERVENTION,
        "unit": org.east.pk,
        "lead": org.supervisor.pk,
        "members": [org.trainee.pk, org.helper.pk],
        "required_tracks": [org.track.pk],
        "drill_interval_months": "12",
        "is_active": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def test_a_coordinator_makes_a_team_whose_lead_is_a_member(people, client):
    org = people
    client.force_login(org.coordinator)
    # when
    response = client.post(reverse(ADD), _data(org))
    # then
    assert response.status_code == 302
    team = CrisisTeam.objects.get()
    assert team.lead == org.supervisor
    assert set(team.members.all()) == {org.trainee, org.helper, org.supervisor}
    assert list(team.required_tracks.all()) == [org.track]
    assert AuditEvent.objects.filter(
        action=AuditAction.CRISIS, object_id=str(team.pk)
    ).exists()
    assert Notice.objects.filter(person=org.helper).count() == 1


def test_the_choice_lists_hold_only_the_coordinators_subtree(people):
    org = people
    form = CrisisTeamForm(for_user=org.coordinator)
    units = set(form.fields["unit"].queryset)
    people_offered = set(form.fields["members"].queryset)
    assert units == {org.east, org.east_room}
    assert org.west_trainee not in people_offered
    assert org.sibling not in set(form.fields["lead"].queryset)
    assert {org.trainee, org.helper} <= people_offered
    tracks = set(form.fields["required_tracks"].queryset)
    assert org.track in tracks
    assert org.tier_track not in tracks
    assert org.west_track not in tracks


@pytest.mark.parametrize(
    "changes, words",
    [
        ({"name": ""}, "Give the team a name."),
        ({"name": "   "}, "Give the team a name."),
        ({"name": HUGE}, "too long"),
        ({"name": "小组\x00"}, "Null characters"),
        ({"drill_interval_months": "0"}, "from 1 to 60"),
        ({"drill_interval_months": "61"}, "from 1 to 60"),
        ({"drill_interval_months": "十二"}, "whole months"),
        ({"drill_interval_months": "9" * 40}, "from 1 to 60"),
        ({"drill_interval_months": ""}, "whole months"),
        ({"kind": "<script>"}, "Choose what kind"),
        ({"unit": ""}, "Choose one of your units."),
        ({"unit": "west"}, "Choose one of your units."),
        ({"lead": "' OR 1=1 --"}, "Choose the lead"),
        ({"members": ["x" * 1000]}, "Choose members"),
    ],
)
def test_wrong_empty_huge_and_hostile_input_is_refused(people, client, changes, words):
    org = people
    if changes.get("unit") == "west":
        changes["unit"] = org.west.pk
    client.force_login(org.coordinator)
    # when
    response = client.post(reverse(ADD), _data(org, **changes))
    # then a sentence says what is wrong, and nothing is written
    assert response.status_code == 200
    assert words in _errors(response)
    assert not CrisisTeam.objects.exists()
    assert not CrisisTeamMember.objects.exists()
    assert not Notice.objects.exists()


def test_people_and_tracks_outside_the_lists_are_refused(people, client):
    org = people
    client.force_login(org.coordinator)
    for changes in (
        {"members": [org.west_trainee.pk]},
        {"lead": org.sibling.pk},
        {"required_tracks": [org.tier_track.pk]},
        {"required_tracks": [org.west_track.pk]},
    ):
        response = client.post(reverse(ADD), _data(org, **changes))
        assert response.status_code == 200, changes
        assert _errors(response), changes
    assert not CrisisTeam.objects.exists()


def test_members_must_be_of_the_teams_unit_or_below(people, client):
    # given a team of the east room; the supervisor belongs to the station
    org = people
    client.force_login(org.coordinator)
    response = client.post(reverse(ADD), _data(org, unit=org.east_room.pk))
    # then the lead is refused by name, and nothing is saved
    assert response.status_code == 200
    form = response.context["form"]
    assert "not of the team's unit" in " ".join(form.errors["lead"])
    assert not CrisisTeam.objects.exists()


def test_a_hostile_name_is_kept_as_text_and_shown_escaped(people, client):
    org = people
    client.force_login(org.coordinator)
    hostile = "<script>alert('x')</script>"
    client.post(reverse(ADD), _data(org, name=hostile))
    team = CrisisTeam.objects.get()
    assert team.name == hostile
    for url in (
        reverse("crisis_teams_admin:index"),
        reverse("supervision:crisis_team_detail", args=[team.pk]),
        reverse("supervision:crisis_team_list"),
    ):
        page = client.get(url).content.decode()
        assert hostile not in page
        assert "&lt;script&gt;" in page


def test_editing_removes_and_adds_members_and_tells_only_the_new(people, client):
    org = people
    team = make_team(org.east, lead=org.supervisor, members=[org.trainee])
    client.force_login(org.coordinator)
    # when the trainee is replaced by the helper
    response = client.post(
        reverse("crisis_teams_admin:edit", args=[team.pk]),
        _data(org, members=[org.helper.pk], drill_interval_months="6"),
    )
    # then
    assert response.status_code == 302
    team.refresh_from_db()
    assert set(team.members.all()) == {org.helper, org.supervisor}
    assert team.drill_interval_months == 6
    assert Notice.objects.filter(person=org.helper).count() == 1
    assert not Notice.objects.filter(person=org.trainee).exists()


def test_the_edit_form_shows_the_current_members(people, client):
    org = people
    team = make_team(org.east, lead=org.supervisor, members=[org.trainee])
    form = CrisisTeamForm(instance=team, for_user=org.coordinator)
    assert set(form.initial["members"]) == {org.trainee.pk, org.supervisor.pk}


def test_a_sibling_coordinator_or_a_leader_cannot_change_the_team(people):
    org = people
    team = make_team(org.east, members=[org.trainee])
    arguments = dict(
        team=team,
        name="改名",
        unit=org.east,
        kind=CrisisTeam.Kind.SQUAD,
        lead=None,
        members=[],
        required_tracks=[],
        drill_interval_months=12,
        is_active=True,
    )
    for actor in (org.sibling, org.leader, org.trainee):
        with pytest.raises(PermissionDenied):
            services.crisis_team_update(actor=actor, **arguments)
    with pytest.raises(PermissionDenied):
        services.crisis_team_create(
            actor=org.sibling, name="x", unit=org.east, members=[org.trainee]
        )
    assert CrisisTeam.objects.get().name == "危机干预小组"


def test_a_team_is_never_deleted_in_the_admin(people, client):
    org = people
    team = make_team(org.east)
    client.force_login(org.coordinator)
    client.post(reverse("crisis_teams_admin:delete", args=[team.pk]))
    assert CrisisTeam.objects.filter(pk=team.pk).exists()


# --- drills --------------------------------------------------------------------


def _past_session(unit, title="危机干预演练"):
    return make_session(
        unit, title=title, starts_at=timezone.now() - datetime.timedelta(days=3)
    )


def test_a_coordinator_links_a_session_of_their_units_as_a_drill(people, client):
    org = people
    team = make_team(org.east, members=[org.trainee])
    session = _past_session(org.east_room)
    client.force_login(org.coordinator)
    response = client.post(
        reverse("team_drills_admin:add"), {"team": team.pk, "session": session.pk}
    )
    assert response.status_code == 302
    drill = TeamDrill.objects.get()
    assert (drill.team, drill.session) == (team, session)
    # a second link of the same session is refused with a sentence
    again = client.post(
        reverse("team_drills_admin:add"), {"team": team.pk, "session": session.pk}
    )
    assert "already a drill" in _errors(again)
    assert TeamDrill.objects.count() == 1
    # and unlinking goes through the service, audited
    client.post(reverse("team_drills_admin:delete", args=[drill.pk]))
    assert not TeamDrill.objects.exists()
    assert AuditEvent.objects.filter(detail__startswith="drill unlinked").exists()


def test_drill_choices_hold_only_the_coordinators_teams_and_sessions(people, client):
    org = people
    east_team, west_team = make_team(org.east), make_team(org.west, name="西区小组")
    east_session, west_session = _past_session(org.east), _past_session(org.west)
    form = TeamDrillForm(for_user=org.coordinator)
    assert set(form.fields["team"].queryset) == {east_team}
    assert set(form.fields["session"].queryset) == {east_session}
    client.force_login(org.coordinator)
    for data in (
        {"team": east_team.pk, "session": west_session.pk},
        {"team": west_team.pk, "session": east_session.pk},
        {"team": "", "session": ""},
        {"team": "<b>1</b>", "session": HUGE},
    ):
        response = client.post(reverse("team_drills_admin:add"), data)
        assert response.status_code == 200
        assert _errors(response)
    assert not TeamDrill.objects.exists()


def test_the_drill_service_refuses_a_session_outside_the_actors_units(people):
    org = people
    team = make_team(org.east)
    with pytest.raises(ValidationError) as refused:
        services.team_drill_link(
            actor=org.coordinator, team=team, session=_past_session(org.west)
        )
    assert "your own units" in " ".join(refused.value.messages)
    with pytest.raises(PermissionDenied):
        services.team_drill_link(
            actor=org.sibling, team=team, session=_past_session(org.west)
        )
    assert not TeamDrill.objects.exists()
