"""Pairing pages: the coordinator's list (flag, filter, fixed query count),
pairing and ending through it, the mentor's page and contact logging,
and 403/404 for everyone else."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from supervision.models import Pairing, PairingContact
from tests.factories.cases import contact, days_ago, grid_worker, volunteer
from tests.factories.supervision import pair

TODAY = timezone.localdate
LIST = "supervision:pairing_list"
MINE = "supervision:pairing_mine"


@pytest.fixture
def east_pairs(org):
    """A quiet pair (no contact for 40 days) and a recent one."""
    mentor = volunteer(org.east_room, "mentor")
    quiet = pair(mentor, grid_worker(org.east_room, "quiet"), by=org.coordinator)
    recent = pair(mentor, grid_worker(org.east_room, "recent"), by=org.coordinator)
    contact(recent, on=days_ago(3))
    return quiet, recent


def mentees_listed(response) -> dict[str, bool]:
    return {
        row.pairing.mentee.username: row.flagged for row in response.context["page"]
    }


def test_the_coordinator_lists_the_pairs_with_the_flag(org, east_pairs, login):
    response = login(org.coordinator).get(reverse(LIST))
    assert response.status_code == 200
    assert mentees_listed(response) == {"quiet": True, "recent": False}
    assert response.content.decode().count('data-testid="no-contact"') == 1
    assert response.context["form"] is not None


def test_the_no_contact_filter_keeps_the_flagged_pairs(org, east_pairs, login):
    response = login(org.coordinator).get(reverse(LIST), {"show": "quiet"})
    assert mentees_listed(response) == {"quiet": True}


def test_an_unknown_filter_shows_the_open_pairs(org, east_pairs, login):
    response = login(org.coordinator).get(reverse(LIST), {"show": "<script>"})
    assert response.status_code == 200
    assert response.context["show"] == "open"


def test_a_leader_sees_the_pairs_but_cannot_pair(org, east_pairs, login):
    client = login(org.leader)
    response = client.get(reverse(LIST))
    assert set(mentees_listed(response)) == {"quiet", "recent"}
    assert response.context["form"] is None
    assert 'data-testid="pairing-form"' not in response.content.decode()
    assert client.post(reverse("supervision:pairing_create"), {}).status_code == 403


def test_the_sibling_sees_none_of_the_east_pairs(org, east_pairs, login):
    response = login(org.sibling).get(reverse(LIST))
    assert mentees_listed(response) == {}


@pytest.mark.parametrize("who", ["trainee", "supervisor", "west_trainee"])
def test_people_without_a_managing_role_get_403_on_the_list(org, login, who):
    assert login(getattr(org, who)).get(reverse(LIST)).status_code == 403


def test_anonymous_visitors_log_in_first(client):
    for url in (reverse(LIST), reverse(MINE)):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_the_list_costs_the_same_queries_for_many_pairs(org, login):
    client = login(org.coordinator)

    def make_pairs(start, count):
        for n in range(start, start + count):
            mentor = volunteer(org.east_room, f"m{n}")
            pairing = pair(mentor, grid_worker(org.east_room, f"g{n}"))
            contact(pairing, on=days_ago(n % 40))

    make_pairs(0, 2)
    client.get(reverse(LIST))  # warm up caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(LIST)).status_code == 200
    make_pairs(2, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(LIST))
    assert len(response.context["page"]) == 14
    assert len(many) == len(few)


def test_a_coordinator_pairs_people_through_the_page(org, login):
    mentor = volunteer(org.east_room, "mentor")
    grid = grid_worker(org.east_room, "grid")
    response = login(org.coordinator).post(
        reverse("supervision:pairing_create"),
        {"mentor": mentor.pk, "mentee": grid.pk, "starts_on": TODAY()},
    )
    assert response.status_code == 302
    assert Pairing.objects.get().mentee == grid


def test_the_third_mentee_is_refused_on_the_page(org, east_pairs, login, settings):
    client = login(org.coordinator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    mentor = east_pairs[0].mentor
    third = grid_worker(org.east_room, "third")
    response = client.post(
        reverse("supervision:pairing_create"),
        {"mentor": mentor.pk, "mentee": third.pk, "starts_on": TODAY()},
    )
    assert response.status_code == 400
    assert "already mentors 2 grid workers" in response.content.decode()
    assert Pairing.objects.count() == 2


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"mentor": "x", "mentee": "<script>", "starts_on": "yesterday"},
        {"mentor": 10**20, "mentee": -1, "starts_on": "2999-01-01"},
    ],
)
def test_a_bad_pairing_form_is_refused(org, login, data):
    response = login(org.coordinator).post(reverse("supervision:pairing_create"), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert b"<script>" not in response.content
    assert not Pairing.objects.exists()


def test_a_west_grid_worker_or_a_paired_one_is_not_a_choice(org, east_pairs, login):
    mentor = volunteer(org.east_room, "free_mentor")
    west = grid_worker(org.west_room, "west_grid")
    client = login(org.coordinator)
    for mentee in (west, east_pairs[0].mentee):
        response = client.post(
            reverse("supervision:pairing_create"),
            {"mentor": mentor.pk, "mentee": mentee.pk, "starts_on": TODAY()},
        )
        assert response.status_code == 400
        assert "mentee" in response.context["form"].errors
    assert Pairing.objects.count() == 2


def test_a_pairing_is_ended_through_the_page(org, east_pairs, login):
    quiet, _recent = east_pairs
    url = reverse("supervision:pairing_end", args=[quiet.pk])
    client = login(org.coordinator)
    assert client.get(url).status_code == 405
    assert client.post(url, {"ends_on": "nonsense"}).status_code == 302
    quiet.refresh_from_db()
    assert quiet.ends_on is None
    assert client.post(url, {"ends_on": TODAY()}).status_code == 302
    quiet.refresh_from_db()
    assert quiet.ends_on == TODAY()


def test_an_outsider_coordinator_gets_404_on_ending(org, east_pairs, login):
    url = reverse("supervision:pairing_end", args=[east_pairs[0].pk])
    assert login(org.sibling).post(url, {"ends_on": TODAY()}).status_code == 404
    assert not Pairing.objects.filter(ends_on__isnull=False).exists()


def test_the_mentor_sees_their_grid_workers_with_the_flag(org, east_pairs, login):
    quiet, recent = east_pairs
    response = login(quiet.mentor).get(reverse(MINE))
    assert response.status_code == 200
    rows = {row.pairing.mentee.username: row for row in response.context["as_mentor"]}
    assert rows["quiet"].flagged and not rows["recent"].flagged
    assert rows["recent"].last_contact == days_ago(3)
    body = response.content.decode()
    try:
        log_url = reverse("supervision:trainee_log", args=[quiet.mentee_id])
    except NoReverseMatch:
        log_url = None
    if log_url:
        assert log_url in body


def test_the_grid_worker_sees_their_mentor(org, east_pairs, login):
    quiet, _ = east_pairs
    response = login(quiet.mentee).get(reverse(MINE))
    assert [row.pairing for row in response.context["as_mentee"]] == [quiet]
    assert response.context["as_mentor"] == []


def test_someone_without_a_pair_sees_an_empty_page(org, east_pairs, login):
    response = login(org.coordinator).get(reverse(MINE))
    assert response.status_code == 200
    assert 'data-testid="no-pairs"' in response.content.decode()


def test_the_mentor_and_the_grid_worker_log_a_contact(org, east_pairs, login):
    quiet, _ = east_pairs
    url = reverse("supervision:pairing_contact_create", args=[quiet.pk])
    for person in (quiet.mentor, quiet.mentee):
        response = login(person).post(
            url, {"occurred_on": TODAY(), "channel": "in_person", "note": "面谈"}
        )
        assert response.status_code == 302
    assert PairingContact.objects.filter(pairing=quiet).count() == 2
    response = login(quiet.mentor).get(reverse(MINE))
    rows = {row.pairing.mentee.username: row for row in response.context["as_mentor"]}
    assert not rows["quiet"].flagged


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"occurred_on": "2999-01-01", "channel": "phone"},
        {"occurred_on": TODAY(), "channel": "<script>"},
        {"occurred_on": TODAY(), "channel": "phone", "note": "字" * 501},
    ],
)
def test_a_bad_contact_is_refused_on_the_page(org, east_pairs, login, data):
    quiet, _ = east_pairs
    response = login(quiet.mentor).post(
        reverse("supervision:pairing_contact_create", args=[quiet.pk]), data
    )
    assert response.status_code == 400
    assert b"<script>" not in response.content
    assert not PairingContact.objects.filter(pairing=quiet).exists()


@pytest.mark.parametrize(
    "who", ["coordinator", "leader", "sibling", "supervisor", "trainee", "west_trainee"]
)
def test_outsiders_get_404_when_logging_a_contact(org, east_pairs, login, who):
    quiet, _ = east_pairs
    response = login(getattr(org, who)).post(
        reverse("supervision:pairing_contact_create", args=[quiet.pk]),
        {"occurred_on": TODAY(), "channel": "phone"},
    )
    assert response.status_code == 404
    assert not PairingContact.objects.filter(pairing=quiet).exists()


def test_the_mentors_page_costs_the_same_queries_for_more_mentees(org, login):
    mentor = volunteer(org.east_room, "busy")
    client = login(mentor)
    first = pair(mentor, grid_worker(org.east_room, "one"))
    contact(first, on=days_ago(1))
    client.get(reverse(MINE))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(MINE))
    for n in range(2):
        second = pair(mentor, grid_worker(org.east_room, f"more{n}"))
        contact(second, on=days_ago(2))
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(MINE))
    assert len(response.context["as_mentor"]) == 3
    assert len(many) == len(few)
