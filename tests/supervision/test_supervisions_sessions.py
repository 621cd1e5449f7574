"""Recording a supervision: the service's rules, hours credited once, and
the form with wrong, empty, huge and hostile input."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lms.core.models import HoursCategory, HoursEntry, Role
from supervision.models import (
    GrowthNote,
    PracticeEntry,
    SupervisionKind,
    SupervisionSession,
)
from supervision.services.supervisions import supervision_session_record
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, make_entry, pair

P, G = SupervisionKind.PRACTICE, SupervisionKind.GROWTH
S = PracticeEntry.Status
IND, GROUP = SupervisionSession.Format.INDIVIDUAL, SupervisionSession.Format.GROUP
NEW = "/practice/supervision/new/"


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages are compared in English, the source language (requests
    made by the test client would otherwise switch back to Chinese)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def team(org):
    """The east supervisor supervises the practice of two trainees; a
    growth supervisor holds their personal-growth supervision."""
    other = UserFactory(
        username="other_trainee", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    growth = UserFactory(
        username="growth_supervisor", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    for trainee in (org.trainee, other):
        assign(trainee, org.supervisor, kind=P)
        assign(trainee, growth, kind=G)
    org.other, org.growth = other, growth
    return org


def _record(org, **overrides):
    kwargs = {
        "actor": org.supervisor,
        "kind": P,
        "format": IND,
        "held_at": timezone.now() - datetime.timedelta(hours=2),
        "minutes": 90,
        "topic": "个案督导",
        "participants": [org.trainee],
        "entries": [],
        "summary": "共同讨论",
        "growth_notes": {},
    }
    kwargs.update(overrides)
    return supervision_session_record(**kwargs)


def _supervision_hours(person):
    return list(
        HoursEntry.objects.filter(
            person=person, category=HoursCategory.SUPERVISION
        ).values_list("hours", flat=True)
    )


def test_a_practice_supervision_covers_entries_and_credits_hours(team):
    # given
    entry = make_entry(team.trainee, status=S.SUBMITTED)
    # when
    session = _record(team, entries=[entry])
    # then
    assert list(session.entries.all()) == [entry]
    assert session.unit == team.east_room
    assert [str(h) for h in _supervision_hours(team.trainee)] == ["1.50"]
    assert _supervision_hours(team.supervisor) == []


def test_supervision_hours_are_credited_once_per_participant(team):
    # given
    session = _record(team, format=GROUP, participants=[team.trainee, team.other])
    # when: crediting again for the same session (a retry, say)
    from supervision.services.supervisions import _credit_and_refresh

    _credit_and_refresh(
        session=session, participants=[team.trainee, team.other], actor=team.supervisor
    )
    # then
    assert len(_supervision_hours(team.trainee)) == 1
    assert len(_supervision_hours(team.other)) == 1


def test_a_growth_supervision_keeps_a_private_note_per_participant(team):
    # when
    session = _record(
        team,
        actor=team.growth,
        kind=G,
        format=GROUP,
        participants=[team.trainee, team.other],
        summary="",
        growth_notes={team.trainee.pk: "关于你的成长", team.other.pk: "  "},
    )
    # then
    notes = GrowthNote.objects.filter(session=session)
    assert [(n.trainee, n.body) for n in notes] == [(team.trainee, "关于你的成长")]
    assert len(_supervision_hours(team.other)) == 1


def test_the_session_unit_holds_every_participant(team):
    # given
    station_person = UserFactory(home_unit=team.east, roles=[Role.TRAINEE])
    assign(station_person, team.supervisor)
    # when
    session = _record(team, format=GROUP, participants=[team.trainee, station_person])
    # then
    assert session.unit == team.east


@pytest.mark.parametrize(
    "overrides, sentence",
    [
        ({"minutes": 0}, "Minutes must be"),
        ({"minutes": 10000}, "Minutes must be"),
        ({"held_at": "future"}, "before it is held"),
        ({"held_at": "ancient"}, "more than a year ago"),
        ({"participants": []}, "at least one participant"),
        ({"participants": "both"}, "exactly one participant"),
        ({"format": GROUP}, "at least two participants"),
        ({"participants": "outsider"}, "trainees you supervise"),
        ({"participants": "west"}, "trainees you supervise"),
        ({"kind": "other"}, "practice or personal-growth"),
        ({"format": "x"}, "individual or a group"),
        ({"topic": "长" * 201}, "too long"),
        ({"summary": "长" * 5001}, "too long"),
        ({"growth_notes": "trainee"}, "personal-growth supervision only"),
        ({"kind": G}, "not a shared summary"),
    ],
)
def test_the_service_refuses_bad_input_with_a_sentence(team, overrides, sentence):
    # given
    now = timezone.now()
    special = {
        "future": now + datetime.timedelta(hours=1),
        "ancient": now - datetime.timedelta(days=400),
        "both": [team.trainee, team.other],
        "outsider": [UserFactory(home_unit=team.east_room, roles=[Role.TRAINEE])],
        "west": [team.west_trainee],
        "trainee": {team.trainee.pk: "笔记"},
    }
    overrides = {
        k: special.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()
    }
    # when / then
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _record(team, **overrides)
    assert sentence in " ".join(error.value.messages)
    assert not SupervisionSession.objects.exists()
    assert not HoursEntry.objects.exists()


def test_growth_participants_must_be_the_supervisors_growth_supervisees(team):
    # the practice supervisor is not their growth supervisor
    with pytest.raises(ValidationError):
        _record(team, kind=G, summary="")
    # and the growth supervisor does not supervise their practice
    with pytest.raises(ValidationError):
        _record(team, actor=team.growth)
    assert not SupervisionSession.objects.exists()


def test_an_entry_of_someone_not_a_participant_is_refused(team):
    # given
    entry = make_entry(team.other, status=S.SUBMITTED)
    # when / then
    with translation.override("en"), pytest.raises(ValidationError) as error:
        _record(team, entries=[entry])
    assert "participants' practice entries" in error.value.messages[0]
    assert not SupervisionSession.objects.exists()


def test_an_approved_entry_of_another_trainee_is_refused(team):
    # given: approved, but of a trainee outside this supervision
    entry = make_entry(
        team.west_trainee, status=S.APPROVED, approved_by=team.supervisor
    )
    # when / then
    with pytest.raises(ValidationError):
        _record(team, entries=[entry])
    assert not entry.supervisions.exists()


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED])
def test_drafts_and_returned_entries_are_not_covered(team, status):
    entry = make_entry(team.trainee, status=status)
    with pytest.raises(ValidationError):
        _record(team, entries=[entry])


def test_a_growth_supervision_covers_no_entries(team):
    entry = make_entry(team.trainee, status=S.SUBMITTED)
    with pytest.raises(ValidationError):
        _record(team, actor=team.growth, kind=G, summary="", entries=[entry])


@pytest.mark.parametrize("who", ["trainee", "coordinator", "leader"])
def test_only_supervisors_record(team, who):
    with pytest.raises(PermissionDenied):
        _record(team, actor=getattr(team, who))


def test_a_mentor_with_the_supervisor_role_may_hold_practice_supervision(org):
    # given
    pair(org.supervisor, org.trainee)
    # when
    session = _record(org)
    # then
    assert list(session.participants.all()) == [org.trainee]


# -- the form -----------------------------------------------------------------


def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _form_data(team, **overrides):
    held = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "kind": P,
        "format": IND,
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "60",
        "topic": "督导",
        "participants": [str(team.trainee.pk)],
        "summary": "总结",
    }
    data.update(overrides)
    return data


def test_the_supervisor_records_a_practice_supervision_through_the_form(team, login):
    # given
    entry = make_entry(team.trainee, status=S.SUBMITTED)
    client = login(team.supervisor)
    assert client.get(NEW).status_code == 200
    # when
    response = client.post(NEW, _form_data(team, entries=[str(entry.pk)]))
    # then
    session = SupervisionSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/practice/supervision/{session.pk}/"
    assert list(session.entries.all()) == [entry]


def test_the_growth_form_saves_private_notes(team, login):
    # given
    client = login(team.growth)
    page = client.get(f"{NEW}?kind=growth")
    assert page.status_code == 200
    assert b'data-testid="note-field"' in page.content
    # when
    data = _form_data(team, kind=G, summary="", format=GROUP)
    data["participants"] = [str(team.trainee.pk), str(team.other.pk)]
    data[f"note_{team.trainee.pk}"] = "你的笔记"
    data[f"note_{team.other.pk}"] = "他的笔记"
    response = client.post(NEW, data)
    # then
    assert response.status_code == 302
    session = SupervisionSession.objects.get()
    assert session.kind == G and session.summary == ""
    assert GrowthNote.objects.filter(session=session).count() == 2


def _refused(client, data, sentence=None):
    response = _english(client).post(NEW, data)
    assert response.status_code == 200
    assert not SupervisionSession.objects.exists()
    assert not HoursEntry.objects.exists()
    if sentence:
        assert sentence in response.content.decode()
    return response


@pytest.mark.parametrize(
    "overrides, sentence",
    [
        ({"minutes": "0"}, "Minutes must be a whole number from 1 to 600."),
        ({"minutes": "10000"}, "Minutes must be a whole number from 1 to 600."),
        ({"minutes": "一小时"}, "Minutes must be a whole number from 1 to 600."),
        ({"minutes": ""}, None),
        ({"held_at": "2999-01-01T10:00"}, "cannot be recorded before it is held"),
        ({"held_at": "yesterday"}, None),
        ({"participants": []}, "Choose at least one participant."),
        ({"topic": "长" * 10000}, None),
        ({"summary": "长" * 100000}, None),
        ({"format": "<script>alert(1)</script>"}, None),
        ({"kind": "'; DROP TABLE x; --"}, None),
    ],
)
def test_the_form_refuses_wrong_input(team, login, overrides, sentence):
    response = _refused(login(team.supervisor), _form_data(team, **overrides), sentence)
    assert b"<script>alert(1)</script>" not in response.content


def test_the_form_refuses_a_participant_outside_your_supervision(team, login):
    data = _form_data(team, participants=[str(team.west_trainee.pk)])
    _refused(login(team.supervisor), data, "trainees you supervise")


def test_the_form_refuses_an_entry_of_someone_not_a_participant(team, login):
    entry = make_entry(team.other, status=S.SUBMITTED)
    data = _form_data(team, entries=[str(entry.pk)])
    _refused(login(team.supervisor), data, "participants&#x27; practice entries")


def test_the_form_refuses_an_approved_entry_of_another_trainee(team, login):
    entry = make_entry(
        team.west_trainee, status=S.APPROVED, approved_by=team.supervisor
    )
    data = _form_data(team, entries=[str(entry.pk)])
    _refused(login(team.supervisor), data, "Choose entries of the participants")


def test_the_form_refuses_two_people_in_an_individual_supervision(team, login):
    data = _form_data(team, participants=[str(team.trainee.pk), str(team.other.pk)])
    _refused(login(team.supervisor), data, "exactly one participant")


def test_the_form_ignores_a_note_for_someone_not_chosen(team, login):
    # given: a hand-made field for the west trainee
    data = _form_data(team, kind=G, summary="")
    data[f"note_{team.west_trainee.pk}"] = "偷偷写的"
    # when
    response = login(team.growth).post(NEW, data)
    # then
    assert response.status_code == 302
    assert not GrowthNote.objects.exists()


def test_personal_data_in_the_summary_needs_confirmation(team, login):
    # given
    data = _form_data(team, summary="来访者电话 13812345678")
    client = login(team.supervisor)
    # when
    response = _refused(client, data)
    # then
    assert b'data-testid="personal-data-confirm"' in response.content
    # when
    response = client.post(NEW, {**data, "no_personal_data": "on"})
    # then
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["trainee", "coordinator", "leader", "sibling"])
def test_only_supervisors_open_the_form(team, login, who):
    client = login(getattr(team, who))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, _form_data(team)).status_code == 403
    assert not SupervisionSession.objects.exists()


def test_anonymous_people_are_sent_to_log_in(client):
    assert client.get(NEW).status_code == 302
    assert client.get("/practice/supervision/mine/").status_code == 302


def test_the_form_offers_uncovered_entries_of_supervisees_only(team, login):
    # given
    from tests.factories.supervisions import make_session

    fresh = make_entry(team.trainee, status=S.SUBMITTED)
    covered = make_entry(team.trainee, status=S.SUBMITTED)
    make_session(team.supervisor, [team.trainee], entries=[covered])
    draft = make_entry(team.trainee, status=S.DRAFT)
    west = make_entry(team.west_trainee, status=S.SUBMITTED)
    # when
    response = login(team.supervisor).get(
        f"{NEW}?person={team.trainee.pk}&entry={fresh.pk}"
    )
    # then
    offered = set(response.context["form"].fields["entries"].queryset)
    assert offered == {fresh}
    assert covered not in offered and draft not in offered and west not in offered
    assert response.context["form"]["entries"].initial == [str(fresh.pk)]
