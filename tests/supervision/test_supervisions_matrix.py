"""Every supervision and technique page against every role of the east
station and the west coordinator-leader, and the "awaiting supervision"
flag shown to both the trainee and the supervisor."""

import datetime

import pytest
from django.utils import timezone

from supervision.models import PracticeEntry, SupervisionKind
from tests.factories.supervision import assign, make_entry, make_technique
from tests.factories.supervisions import make_session

WHO = ["anonymous", "trainee", "supervisor", "coordinator", "leader", "sibling"]


@pytest.fixture
def world(org):
    """The supervisor supervises the trainee's practice and holds a
    practice and a personal-growth session with them (the rule is
    about assignments, not old sessions); the trainee has a mastery."""
    assign(org.trainee, org.supervisor)
    org.practice = make_session(org.supervisor, [org.trainee])
    org.growth = make_session(
        org.supervisor,
        [org.trainee],
        kind=SupervisionKind.GROWTH,
        notes={org.trainee: "私密"},
    )
    from supervision.models import TechniqueMastery

    org.mastery = TechniqueMastery.objects.create(
        person=org.trainee, technique=make_technique(), reached_at=timezone.now()
    )
    return org


def _client(client, org, who):
    if who != "anonymous":
        client.force_login(getattr(org, who))
    return client


CASES = {
    # url (filled from the world), method: statuses in the order of WHO
    ("/practice/supervision/", "get"): [302, 403, 200, 200, 200, 200],
    ("/practice/supervision/new/", "get"): [302, 403, 200, 403, 403, 403],
    ("/practice/supervision/mine/", "get"): [302, 200, 200, 200, 200, 200],
    ("practice", "get"): [302, 200, 200, 200, 200, 404],
    ("growth", "get"): [302, 200, 200, 404, 404, 404],
    ("/practice/techniques/", "get"): [302, 200, 200, 200, 200, 200],
    ("person", "get"): [302, 200, 200, 200, 200, 404],
    ("confirm", "get"): [302, 405, 405, 405, 405, 405],
    ("confirm", "post"): [302, 403, 302, 403, 403, 404],
}


def _resolve(url, org):
    return {
        "practice": f"/practice/supervision/{org.practice.pk}/",
        "growth": f"/practice/supervision/{org.growth.pk}/",
        "person": f"/practice/techniques/people/{org.trainee.pk}/",
        "confirm": f"/practice/techniques/mastery/{org.mastery.pk}/confirm/",
    }.get(url, url)


@pytest.mark.parametrize("case", list(CASES), ids=lambda c: f"{c[1]} {c[0]}")
@pytest.mark.parametrize("who", WHO)
def test_the_permission_matrix(world, client, case, who):
    # given
    url, method = case
    expected = CASES[case][WHO.index(who)]
    # when
    response = getattr(_client(client, world, who), method)(_resolve(url, world))
    # then
    assert response.status_code == expected
    if who == "anonymous":
        assert (
            "/accounts/login/" in response["Location"]
            or "login" in response["Location"]
        )


def test_the_awaiting_flag_shows_for_both_and_clears_after_supervision(org, login):
    # given
    assign(org.trainee, org.supervisor)
    entry = make_entry(
        org.trainee,
        status=PracticeEntry.Status.SUBMITTED,
        occurred_on=timezone.localdate() - datetime.timedelta(days=8),
    )
    marker = f'data-entry="{entry.pk}"'
    # then
    assert marker in login(org.supervisor).get("/practice/supervision/").text
    assert marker in login(org.trainee).get("/practice/supervision/mine/").text
    # when
    make_session(org.supervisor, [org.trainee], entries=[entry])
    # then
    assert marker not in login(org.supervisor).get("/practice/supervision/").text
    assert marker not in login(org.trainee).get("/practice/supervision/mine/").text
