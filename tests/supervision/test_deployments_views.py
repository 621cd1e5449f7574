"""Deployment pages: the list and the page in scope (outsiders 404, leaders
read only), the need form with wrong, empty, huge and hostile input and
choice lists of the user's subtree only, calling out from the proposal,
filling a place, and fixed query counts as rows grow."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from supervision.models import CallOut, Deployment, IncidentType, Track
from tests.factories.certificates import make_track
from tests.factories.deployments import (
    certify,
    days,
    make_callout,
    make_deployment,
    make_person,
    make_scheme,
)

pytestmark = pytest.mark.django_db

S = Deployment.Status


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def url(name, *args):
    return reverse(f"supervision:{name}", args=args)


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def both(org):
    """A deployment of the east room and one of the west room."""
    org.east_dep = make_deployment(org.east_room, created_by=org.coordinator)
    org.west_dep = make_deployment(
        org.west_room, created_by=org.sibling, title="西区事件"
    )
    return org


# --- the list and the page ----------------------------------------------------


def test_the_list_holds_the_users_subtree_only(client, both):
    client.force_login(both.coordinator)
    body = client.get(url("deployment_list")).content.decode()
    assert both.east_dep.title in body and "西区事件" not in body
    client.force_login(both.sibling)
    body = client.get(url("deployment_list")).content.decode()
    assert "西区事件" in body


@pytest.mark.parametrize(
    "who, status",
    [
        ("coordinator", 200),
        ("leader", 200),
        ("city_leader", 200),
        ("sibling", 404),
        ("trainee", 404),
        ("supervisor", 404),
    ],
)
def test_the_page_is_for_managers_over_the_unit(client, both, who, status):
    client.force_login(getattr(both, who))
    assert client.get(url("deployment_detail", both.east_dep.pk)).status_code == status


def test_a_leader_reads_but_gets_403_for_actions_and_the_sibling_404(client, both):
    person = make_person(both.east_room, "free")
    client.force_login(both.leader)
    page = client.get(url("deployment_detail", both.east_dep.pk))
    assert b'data-testid="proposal"' not in page.content
    call = url("deployment_call", both.east_dep.pk)
    assert client.post(call, {"people": [person.pk]}).status_code == 403
    client.force_login(both.sibling)
    assert client.post(call, {"people": [person.pk]}).status_code == 404
    assert not CallOut.objects.exists()


# --- the need form ------------------------------------------------------------


def test_the_form_offers_only_the_users_units_tracks_and_tiers(client, org):
    make_track(org.city, code="city-track", name="城市证书")
    make_track(org.west, code="west-track", name="西区证书")
    rules = make_track(org.east, code="tier-rules", name="层级规则")
    rules.purpose = Track.Purpose.TIER
    rules.save(update_fields=["purpose"])
    make_scheme(org.west, code="west-scheme")
    make_scheme(org.city, code="city-scheme")
    client.force_login(org.coordinator)
    form = client.get(url("deployment_new")).context["form"]
    assert set(form.fields["unit"].queryset) == {org.east, org.east_room}
    names = {t.name for t in form.fields["tracks"].queryset}
    assert names == {"城市证书"}
    schemes = {t.scheme.code for t in form.fields["tier"].queryset}
    assert schemes == {"city-scheme"}


def _post(client, org, **overrides):
    data = {
        "incident_type": IncidentType.WEAPON_USE,
        "title": "武器使用后心理疏导",
        "description": "",
        "unit": org.east_room.pk,
        "starts_on": days(0).isoformat(),
        "ends_on": days(2).isoformat(),
        "size": "5",
    }
    data.update(overrides)
    return client.post(
        url("deployment_new"), {k: v for k, v in data.items() if v is not None}
    )


def test_a_coordinator_describes_a_need_and_lands_on_the_proposal(client, org):
    client.force_login(org.coordinator)
    response = _post(
        client, org, title="<b>武器</b>使用后", description="<script>x</script>"
    )
    deployment = Deployment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("deployment_detail", deployment.pk)
    assert deployment.title == "<b>武器</b>使用后"
    body = client.get(response["Location"]).content.decode()
    assert "&lt;b&gt;武器&lt;/b&gt;" in body and "<script>x" not in body


@pytest.mark.parametrize(
    "overrides, field, words",
    [
        ({"title": ""}, "title", "Give the deployment a title."),
        ({"title": "t" * 100_000}, "title", "too long"),
        ({"description": "d" * 100_000}, "description", "too long"),
        ({"incident_type": ""}, "incident_type", "what kind of incident"),
        ({"incident_type": "<script>"}, "incident_type", "what kind of incident"),
        ({"unit": ""}, "unit", "Choose the unit"),
        ({"unit": "west"}, "unit", "Choose one of your units."),
        ({"starts_on": ""}, "starts_on", "Enter a date."),
        ({"starts_on": "31/02/2026"}, "starts_on", "Enter a date like"),
        ({"starts_on": "9" * 100_000}, "starts_on", "Enter a date like"),
        (
            {"ends_on": days(-3).isoformat(), "starts_on": days(-9).isoformat()},
            "ends_on",
            "has passed",
        ),
        ({"ends_on": days(-1).isoformat()}, "ends_on", "before the first day"),
        ({"ends_on": days(500).isoformat()}, "ends_on", "at most 366 days"),
        ({"size": ""}, "size", "how many people"),
        ({"size": "abc"}, "size", "whole number"),
        ({"size": "0"}, "size", "at least one"),
        ({"size": "201"}, "size", "at most 200"),
        ({"size": "9" * 1000}, "size", ""),
        ({"tracks": ["999999"]}, "tracks", "from the list"),
        ({"tracks": ["<x>"]}, "tracks", "from the list"),
        ({"tier": "999999"}, "tier", "from the list"),
    ],
)
def test_bad_input_is_refused_with_a_sentence_and_nothing_saved(
    client, org, overrides, field, words
):
    if overrides.get("unit") == "west":
        overrides["unit"] = org.west_room.pk
    client.force_login(org.coordinator)
    response = _post(client, org, **overrides)
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors and words in errors
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not Deployment.objects.exists()


def test_an_empty_post_shows_every_missing_field(client, org):
    client.force_login(org.coordinator)
    response = client.post(url("deployment_new"), {})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "incident_type", "unit", "starts_on", "ends_on", "size"} <= set(
        errors
    )
    assert not Deployment.objects.exists()


def test_a_west_track_posted_by_hand_is_refused(client, org):
    west = make_track(org.west, code="west-track")
    client.force_login(org.coordinator)
    response = _post(client, org, tracks=[str(west.pk)])
    assert response.status_code == 400
    assert not Deployment.objects.exists()


@pytest.mark.parametrize("who, status", [("leader", 403), ("trainee", 403)])
def test_only_coordinators_open_the_form(client, org, who, status):
    client.force_login(getattr(org, who))
    assert client.get(url("deployment_new")).status_code == status


# --- calling out and filling --------------------------------------------------


def test_the_proposal_ticks_the_first_people_and_calls_them_out(client, org):
    track = make_track(org.city, code="crisis", name="危机干预")
    deployment = make_deployment(
        org.east_room, created_by=org.coordinator, size=2, tracks=[track]
    )
    people = [
        make_person(org.east_room, f"m{i}", full_name=f"队员{i}") for i in range(3)
    ]
    for person in people:
        certify(person, track)
    client.force_login(org.coordinator)
    page = client.get(url("deployment_detail", deployment.pk)).content.decode()
    assert page.count('data-testid="candidate"') == 3
    assert page.count("checked") == 2
    assert "危机干预" in page  # the reasons
    response = client.post(
        url("deployment_call", deployment.pk), {"people": [people[0].pk, people[2].pk]}
    )
    assert response.status_code == 302
    deployment.refresh_from_db()
    assert deployment.status == S.CALLED
    assert {c.person_id for c in deployment.callouts.all()} == {
        people[0].pk,
        people[2].pk,
    }


@pytest.mark.parametrize(
    "ticks, words",
    [
        ([], "Tick at least one"),
        (["abc"], "Tick people from the proposal"),
        (["1" * 50], "Tick people from the proposal"),
        ([str(i) for i in range(1, 300)], "Tick people from the proposal"),
        (["<script>"], "Tick people from the proposal"),
    ],
)
def test_bad_ticks_are_refused_with_a_sentence(client, org, ticks, words):
    deployment = make_deployment(org.east_room, created_by=org.coordinator)
    client.force_login(org.coordinator)
    response = client.post(url("deployment_call", deployment.pk), {"people": ticks})
    assert response.status_code == 302
    assert words in _messages(response)
    assert not CallOut.objects.exists()


def test_ticking_someone_outside_the_scope_is_refused(client, org):
    deployment = make_deployment(org.east_room, created_by=org.coordinator)
    client.force_login(org.coordinator)
    response = client.post(
        url("deployment_call", deployment.pk), {"people": [org.west_trainee.pk]}
    )
    assert "no longer free or qualified" in _messages(response)
    assert not CallOut.objects.exists()


def test_a_declined_place_is_filled_from_the_page(client, org):
    deployment = make_deployment(
        org.east_room, created_by=org.coordinator, size=1, status=S.CALLED
    )
    declined, _ = make_callout(
        deployment, make_person(org.east_room, "no"), status=CallOut.Status.DECLINED
    )
    make_person(org.east_room, "yes", full_name="替补")
    client.force_login(org.coordinator)
    page = client.get(url("deployment_detail", deployment.pk)).content.decode()
    assert 'data-testid="fill-button"' in page
    client.post(url("callout_fill", deployment.pk, declined.pk))
    new = deployment.callouts.get(replaces=declined)
    assert new.status == CallOut.Status.CALLED
    # and a call-out of another deployment is not found through this one
    other = make_deployment(org.east_room, created_by=org.coordinator)
    assert client.post(url("callout_fill", other.pk, declined.pk)).status_code == 404


def test_cancel_with_an_empty_or_huge_reason_is_refused(client, org):
    deployment = make_deployment(org.east_room, created_by=org.coordinator)
    client.force_login(org.coordinator)
    for reason in ("", "r" * 100_000):
        response = client.post(
            url("deployment_cancel", deployment.pk), {"reason": reason}
        )
        assert _messages(response)
    deployment.refresh_from_db()
    assert deployment.status == S.ASSEMBLING
    client.post(url("deployment_cancel", deployment.pk), {"reason": "已解除"})
    deployment.refresh_from_db()
    assert deployment.status == S.CANCELLED


# --- query counts -------------------------------------------------------------


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_page_and_the_list_do_not_grow_in_queries(client, org):
    track = make_track(org.city, code="crisis")
    deployment = make_deployment(
        org.east_room,
        created_by=org.coordinator,
        size=40,
        tracks=[track],
        status=S.CALLED,
    )
    client.force_login(org.coordinator)

    def grow(n, offset):
        for i in range(n):
            person = make_person(org.east_room, f"g{offset + i}")
            certify(person, track)
            if i % 2:
                make_callout(deployment, person, status=CallOut.Status.DECLINED)
            make_deployment(org.east, created_by=org.coordinator)

    grow(2, 0)
    small = _count(client, url("deployment_detail", deployment.pk))
    small_list = _count(client, url("deployment_list"))
    grow(12, 100)
    assert _count(client, url("deployment_detail", deployment.pk)) == small
    assert _count(client, url("deployment_list")) == small_list
