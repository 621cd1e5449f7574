"""Who sees a supervision: personal-growth notes only by that trainee and
that supervisor (404 for everyone else, on every page that could show
them); practice sessions by the supervisor and participants, and as bare
facts by coordinators and leaders over the unit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.core.models import Role
from supervision.models import PracticeEntry, SupervisionKind
from tests.factories.core import UserFactory
from tests.factories.supervision import assign, make_entry
from tests.factories.supervisions import make_session

G, P = SupervisionKind.GROWTH, SupervisionKind.PRACTICE
NOTE_A, NOTE_B = "甲的私密成长笔记", "乙的私密成长笔记"
SUMMARY = "实践督导的共同总结"


@pytest.fixture
def growth(org):
    """A group personal-growth supervision with two participants, each
    with a private note, held by a growth supervisor; ``org.supervisor``
    is their practice supervisor."""
    org.growth = UserFactory(
        username="growth_sv", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    org.other = UserFactory(
        username="other", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    org.bystander = UserFactory(
        username="bystander", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    org.admin = UserFactory(username="root", home_unit=org.city, is_superuser=True)
    for trainee in (org.trainee, org.other):
        assign(trainee, org.supervisor, kind=P)
        assign(trainee, org.growth, kind=G)
    org.session = make_session(
        org.growth,
        [org.trainee, org.other],
        kind=G,
        notes={org.trainee: NOTE_A, org.other: NOTE_B},
        unit=org.east_room,
    )
    return org


def _url(session):
    return f"/practice/supervision/{session.pk}/"


OUTSIDERS = [
    "supervisor",
    "coordinator",
    "leader",
    "city_leader",
    "sibling",
    "west_trainee",
    "bystander",
    "admin",
]
PAGES = ["/practice/supervision/", "/practice/supervision/mine/", "/practice/"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_growth_session_is_404_for_everyone_else(growth, login, who):
    # when
    response = login(getattr(growth, who)).get(_url(growth.session))
    # then
    assert response.status_code == 404


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("page", PAGES)
def test_no_other_page_shows_a_growth_note_to_others(growth, login, who, page):
    # when
    response = login(getattr(growth, who)).get(page)
    # then
    body = response.content.decode()
    assert NOTE_A not in body and NOTE_B not in body


def test_the_growth_supervisor_reads_every_note(growth, login):
    # when
    response = login(growth.growth).get(_url(growth.session))
    # then
    body = response.content.decode()
    assert response.status_code == 200
    assert NOTE_A in body and NOTE_B in body


@pytest.mark.parametrize(
    "who, own, other", [("trainee", NOTE_A, NOTE_B), ("other", NOTE_B, NOTE_A)]
)
def test_a_participant_reads_only_their_own_note(growth, login, who, own, other):
    client = login(getattr(growth, who))
    for page in [_url(growth.session), *PAGES]:
        # when
        body = client.get(page).content.decode()
        # then
        assert other not in body, page
    assert own in client.get(_url(growth.session)).content.decode()
    assert own in client.get("/practice/supervision/mine/").content.decode()


def test_a_participant_does_not_see_who_else_attended_a_growth_session(growth, login):
    # when
    response = login(growth.trainee).get(_url(growth.session))
    # then
    assert b'data-testid="participant"' not in response.content
    assert growth.other.full_name.encode() not in response.content


def test_the_supervisors_list_does_not_show_note_text(growth, login):
    # when
    response = login(growth.growth).get("/practice/supervision/")
    # then
    body = response.content.decode()
    assert f'data-session="{growth.session.pk}"' in body
    assert NOTE_A not in body


# -- practice sessions -------------------------------------------------------


@pytest.fixture
def practice(org):
    org.other = UserFactory(
        username="other", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    org.stranger_sv = UserFactory(
        username="stranger_sv", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    assign(org.trainee, org.supervisor)
    entry = make_entry(org.trainee, status=PracticeEntry.Status.SUBMITTED)
    org.session = make_session(
        org.supervisor, [org.trainee], entries=[entry], summary=SUMMARY
    )
    return org


@pytest.mark.parametrize("who", ["supervisor", "trainee"])
def test_a_practice_session_is_open_to_supervisor_and_participants(
    practice, login, who
):
    response = login(getattr(practice, who)).get(_url(practice.session))
    assert response.status_code == 200
    assert SUMMARY in response.content.decode()
    assert b'data-testid="entry"' in response.content


@pytest.mark.parametrize("who", ["coordinator", "leader", "city_leader"])
def test_managers_over_the_unit_see_the_facts_but_not_the_summary(practice, login, who):
    response = login(getattr(practice, who)).get(_url(practice.session))
    assert response.status_code == 200
    assert b'data-testid="facts-only"' in response.content
    assert SUMMARY not in response.content.decode()
    assert b'data-testid="entry"' not in response.content
    assert b'data-testid="participant"' not in response.content


@pytest.mark.parametrize("who", ["sibling", "west_trainee", "other", "stranger_sv"])
def test_outsiders_get_404_on_a_practice_session(practice, login, who):
    assert login(getattr(practice, who)).get(_url(practice.session)).status_code == 404


def test_managers_list_practice_sessions_of_their_units_only(practice, login):
    # given
    west_sv = UserFactory(home_unit=practice.west, roles=[Role.SUPERVISOR])
    assign(practice.west_trainee, west_sv)
    west = make_session(west_sv, [practice.west_trainee])
    # when
    east_body = login(practice.coordinator).get("/practice/supervision/").content
    west_body = login(practice.sibling).get("/practice/supervision/").content
    # then
    assert f'data-session="{practice.session.pk}"'.encode() in east_body
    assert f'data-session="{west.pk}"'.encode() not in east_body
    assert f'data-session="{west.pk}"'.encode() in west_body
    assert f'data-session="{practice.session.pk}"'.encode() not in west_body


def test_a_pure_trainee_cannot_open_the_supervisors_list(practice, login):
    assert login(practice.trainee).get("/practice/supervision/").status_code == 403


def test_the_list_query_count_does_not_grow_with_sessions(practice, login):
    client = login(practice.supervisor)
    client.get("/practice/supervision/")
    with CaptureQueriesContext(connection) as few:
        client.get("/practice/supervision/")
    for _ in range(10):
        make_session(practice.supervisor, [practice.trainee])
    with CaptureQueriesContext(connection) as many:
        client.get("/practice/supervision/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_my_supervision_query_count_does_not_grow_with_sessions(practice, login):
    client = login(practice.trainee)
    client.get("/practice/supervision/mine/")
    with CaptureQueriesContext(connection) as few:
        client.get("/practice/supervision/mine/")
    for _ in range(10):
        make_session(practice.supervisor, [practice.trainee])
    with CaptureQueriesContext(connection) as many:
        response = client.get("/practice/supervision/mine/")
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
