"""The certification pages (/practice/certification/) and the admin of
tracks: wiring, who may do what, and bad input on every form."""

import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from lms.core.models import Role
from supervision.models import Enrolment, Requirement, Track, TrackVersion
from supervision.services import certification as services
from tests.factories.core import UserFactory
from tests.factories.tracks import (
    approved_hotline,
    enrol,
    make_track,
    meet_everything,
    verified_qualification,
    version_of,
)

Status = Enrolment.Status


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def issued(monkeypatch):
    import supervision.services.certification as certification_services

    calls = []
    monkeypatch.setattr(
        certification_services,
        "certificate_issue",
        lambda *, actor, enrolment: calls.append(enrolment.pk),
    )
    return calls


@pytest.fixture
def track(org):
    return make_track(org.east)


def page(client, enrolment):
    return client.get(reverse("supervision:certification_track", args=[enrolment.pk]))


def decide(client, enrolment, **data):
    return client.post(
        reverse("supervision:certification_decide", args=[enrolment.pk]), data
    )


# --- the trainee ------------------------------------------------------------------


def test_the_home_page_offers_the_track_and_enrols(org, login, track):
    client = login(org.trainee)
    home = client.get(reverse("supervision:certification_home"))
    assert home.status_code == 200
    assert "团辅带领" in home.content.decode()
    response = client.post(reverse("supervision:certification_enrol", args=[track.pk]))
    enrolment = Enrolment.objects.get(person=org.trainee)
    assert response["Location"] == reverse(
        "supervision:certification_track", args=[enrolment.pk]
    )
    home = client.get(reverse("supervision:certification_home"))
    assert 'data-testid="enrolment"' in home.content.decode()
    assert 'data-testid="open-track"' not in home.content.decode()


def test_a_track_of_another_unit_is_not_found_for_enrolling(org, login):
    west = make_track(org.west, code="west")
    client = login(org.trainee)
    response = client.post(reverse("supervision:certification_enrol", args=[west.pk]))
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


def test_the_progress_page_shows_have_need_the_gap_and_the_next_step(org, login, track):
    enrolment = enrol(org.trainee, track)
    approved_hotline(org.trainee, org.supervisor, 1)
    body = page(login(org.trainee), enrolment).content.decode()
    assert "1 / 2" in body
    assert 'data-testid="missing"' in body
    assert 'data-testid="next-step"' in body
    assert "<progress" in body and "style=" not in body
    assert 'data-testid="apply-button"' not in body


def test_applying_with_gaps_shows_the_sentence_and_changes_nothing(org, login, track):
    enrolment = enrol(org.trainee, track)
    client = login(org.trainee)
    response = client.post(
        reverse("supervision:certification_apply", args=[enrolment.pk]), follow=True
    )
    assert "cannot apply yet" in response.content.decode() or "还不能申请" in (
        response.content.decode()
    )
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ENROLLED


def test_the_trainee_applies_when_everything_is_met(org, login, track):
    enrolment = enrol(org.trainee, track)
    meet_everything(org.trainee, org.supervisor)
    client = login(org.trainee)
    assert 'data-testid="apply-button"' in page(client, enrolment).content.decode()
    client.post(reverse("supervision:certification_apply", args=[enrolment.pk]))
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED
    # applying twice says so and changes nothing
    response = client.post(
        reverse("supervision:certification_apply", args=[enrolment.pk]), follow=True
    )
    assert response.status_code == 200
    assert enrolment.transitions.count() == 1


# --- the coordinator --------------------------------------------------------------


def test_the_queue_lists_applications_of_the_subtree_only(org, login, track):
    east = enrol(org.trainee, track, status=Status.APPLIED)
    west = enrol(org.west_trainee, make_track(org.west, code="w"), status="applied")
    body = (
        login(org.coordinator)
        .get(reverse("supervision:certification_queue"))
        .content.decode()
    )
    assert reverse("supervision:certification_track", args=[east.pk]) in body
    assert reverse("supervision:certification_track", args=[west.pk]) not in body


def test_the_coordinator_approves_and_the_certificate_is_asked_for(
    org, login, track, issued
):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    client = login(org.coordinator)
    assert 'data-testid="decide"' in page(client, enrolment).content.decode()
    response = decide(client, enrolment, decision="approve", reason="")
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPROVED
    assert issued == [enrolment.pk]
    # deciding twice is refused with a sentence, nothing changes
    again = decide(client, enrolment, decision="decline", reason="重复")
    assert again.status_code == 400
    assert 'data-testid="form-errors"' in again.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPROVED


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"decision": "maybe"},
        {"decision": "decline", "reason": ""},
        {"decision": "decline", "reason": "   "},
        {"decision": "decline", "reason": "长" * 3000},
        {"decision": "decline", "reason": "坏\x00字"},
    ],
)
def test_bad_decisions_are_refused_and_nothing_is_half_written(org, login, track, data):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    response = decide(login(org.coordinator), enrolment, **data)
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED
    assert not enrolment.transitions.exists()


def test_a_hostile_reason_is_kept_as_text_and_shown_escaped(org, login, track):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    hostile = '<script>alert("x")</script>'
    decide(login(org.coordinator), enrolment, decision="decline", reason=hostile)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.DECLINED
    body = page(login(org.trainee), enrolment).content.decode()
    assert hostile not in body
    assert "&lt;script&gt;" in body


def test_a_sibling_coordinator_does_not_find_the_enrolment(org, login, track):
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    client = login(org.sibling)
    assert page(client, enrolment).status_code == 404
    assert decide(client, enrolment, decision="approve").status_code == 404
    move = reverse("supervision:certification_move_version", args=[enrolment.pk])
    assert client.post(move, {"reason": "x"}).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED


def test_the_trainee_and_their_supervisor_see_the_page_but_cannot_decide(
    org, login, track
):
    from tests.factories.supervision import assign

    assign(org.trainee, org.supervisor)
    enrolment = enrol(org.trainee, track, status=Status.APPLIED)
    for user in (org.trainee, org.supervisor):
        client = login(user)
        assert page(client, enrolment).status_code == 200
        assert 'data-testid="decide"' not in page(client, enrolment).content.decode()
        assert decide(client, enrolment, decision="approve").status_code == 403
    enrolment.refresh_from_db()
    assert enrolment.status == Status.APPLIED


@pytest.mark.parametrize(
    "name",
    [
        "certification_apply",
        "certification_decide",
        "certification_move_version",
    ],
)
def test_post_only_urls_refuse_get(org, login, track, name):
    enrolment = enrol(org.trainee, track)
    response = login(org.coordinator).get(
        reverse(f"supervision:{name}", args=[enrolment.pk])
    )
    assert response.status_code == 405


def test_moving_to_the_latest_version_from_the_page(org, login, track):
    enrolment = enrol(org.trainee, track)
    draft = services.track_draft(actor=org.coordinator, track=track)
    latest = services.track_publish(actor=org.coordinator, version=draft)
    client = login(org.coordinator)
    assert 'data-testid="move-version"' in page(client, enrolment).content.decode()
    move = reverse("supervision:certification_move_version", args=[enrolment.pk])
    empty = client.post(move, {"reason": ""})
    assert empty.status_code == 400
    enrolment.refresh_from_db()
    assert enrolment.version == version_of(track)
    client.post(move, {"reason": "按新版本考核"})
    enrolment.refresh_from_db()
    assert enrolment.version == latest
    assert "v1 → v2" in page(client, enrolment).content.decode()


def test_the_cohort_table_shows_the_subtree_only(org, login, track):
    east = enrol(org.trainee, track)
    verified_qualification(org.trainee)
    west_track = make_track(org.west, code="w")
    enrol(org.west_trainee, west_track)
    client = login(org.coordinator)
    response = client.get(reverse("supervision:certification_cohort"))
    assert response.status_code == 200
    assert [row["enrolment"] for row in response.context["table"]] == [east]
    other = client.get(
        reverse("supervision:certification_cohort")
        + f"?version={version_of(west_track).pk}"
    )
    assert other.status_code == 404
    bad = client.get(reverse("supervision:certification_cohort") + "?version=x'--")
    assert bad.status_code == 404


@pytest.mark.skipif(
    not hasattr(sys.modules.get("supervision.selectors.certification"), "__file__"),
    reason="counting queries needs the real evaluation module",
)
def test_the_cohort_table_costs_the_same_queries_for_more_people(org, login, track):
    def people(count, prefix):
        for number in range(count):
            person = UserFactory(
                username=f"{prefix}{number}",
                home_unit=org.east_room,
                roles=[Role.TRAINEE],
            )
            enrol(person, track)
            approved_hotline(person, org.supervisor, 1)

    client = login(org.coordinator)
    url = reverse("supervision:certification_cohort")
    people(2, "a")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    people(8, "b")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- the admin ----------------------------------------------------------------------


def requirement_post(version, **fields):
    data = {
        "version": version.pk,
        "position": 3,
        "kind": "ratings",
        "title": "两位督导评价达到 4 级",
        "need": "2",
        "measure": "count",
    }
    data.update(fields)
    return data


def test_the_admin_refuses_a_requirement_that_does_not_fit_its_kind(org, login, track):
    draft = services.track_draft(actor=org.coordinator, track=track)
    client = login(org.coordinator)
    response = client.post(reverse("requirements_admin:add"), requirement_post(draft))
    assert response.status_code == 200
    assert "rubric and a level" in response.content.decode() or "评价表" in (
        response.content.decode()
    )
    assert draft.requirements.count() == 2


def test_the_admin_adds_a_requirement_with_ticked_kinds_to_a_draft(org, login, track):
    draft = services.track_draft(actor=org.coordinator, track=track)
    client = login(org.coordinator)
    response = client.post(
        reverse("requirements_admin:add"),
        requirement_post(
            draft,
            kind="practice",
            title="团辅助教 8 次",
            need="8",
            practice_kinds=["group_assistant", "group_plan"],
        ),
    )
    assert response.status_code == 302
    added = draft.requirements.get(title="团辅助教 8 次")
    assert added.practice_kinds == ["group_assistant", "group_plan"]


def test_the_admin_refuses_edits_to_a_published_versions_requirements(
    org, login, track
):
    published = version_of(track)
    requirement = published.requirements.get(kind=Requirement.Kind.PRACTICE)
    client = login(org.coordinator)
    response = client.post(
        reverse("requirements_admin:edit", args=[requirement.pk]),
        requirement_post(
            published,
            kind="practice",
            title="改过的",
            need="1",
            practice_kinds=["hotline"],
        ),
    )
    assert response.status_code == 200
    assert "published version cannot be changed" in response.content.decode() or (
        "已发布" in response.content.decode()
    )
    requirement.refresh_from_db()
    assert requirement.need == 2
    added = client.post(
        reverse("requirements_admin:add"),
        requirement_post(published, kind="practice", practice_kinds=["hotline"]),
    )
    assert added.status_code == 200
    assert published.requirements.count() == 2


def test_new_draft_and_publish_through_the_admin(org, login, track):
    client = login(org.coordinator)
    made = client.post(reverse("track_versions_admin:new_draft", args=[track.pk]))
    assert made.status_code == 302
    draft = track.versions.get(published_at__isnull=True)
    assert draft.requirements.count() == 2
    confirm = client.get(reverse("track_versions_admin:publish", args=[draft.pk]))
    assert confirm.status_code == 200
    client.post(
        reverse("track_versions_admin:publish", args=[draft.pk]), {"note": "第二版"}
    )
    draft.refresh_from_db()
    assert draft.is_published and draft.note == "第二版"
    # a sibling coordinator finds neither
    sibling = login(org.sibling)
    assert (
        sibling.post(reverse("track_versions_admin:new_draft", args=[track.pk]))
    ).status_code == 404
    assert TrackVersion.objects.filter(track=track).count() == 2


def test_the_admin_creates_a_track_with_an_empty_draft(org, login):
    client = login(org.coordinator)
    response = client.post(
        reverse("tracks_admin:add"),
        {
            "code": "lecturer",
            "name": "心理讲师",
            "unit": org.east.pk,
            "description": "",
            "validity_months": "24",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    track = Track.objects.get(code="lecturer")
    assert list(track.versions.values_list("number", "published_at")) == [(1, None)]
    west = client.post(
        reverse("tracks_admin:add"),
        {"code": "west-lecturer", "name": "讲师", "unit": org.west.pk},
    )
    assert west.status_code == 200
    assert not Track.objects.filter(code="west-lecturer").exists()
