"""Deployment services: describing the need (permissions and bad input),
calling out (tokens stored only as hashes, expiry, notices, status),
filling a place, standing down, closing, cancelling and the expiry
sweep."""

import datetime
import hashlib
from urllib.parse import unquote

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from lms.core.models import AuditAction, AuditEvent, Notice
from supervision.models import CallOut, Deployment, IncidentType
from supervision.services import deployments as services
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
C = CallOut.Status


@pytest.fixture(autouse=True)
def english(settings):
    """The sentences are checked in English, whatever the translations say."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _need(org, **overrides):
    fields = {
        "actor": org.coordinator,
        "title": "派出所民警目睹惨烈场面后心理援助",
        "incident_type": IncidentType.HARROWING_SCENE,
        "unit": org.east_room,
        "starts_on": days(0),
        "ends_on": days(2),
        "size": 3,
    }
    fields.update(overrides)
    return services.deployment_create(**fields)


def _token_of(notice: Notice) -> str:
    return unquote(notice.url.rstrip("/").rsplit("/", 1)[-1])


# --- the need -----------------------------------------------------------------


def test_a_coordinator_over_the_unit_describes_the_need(org):
    track = make_track(org.city, code="crisis")
    deployment = _need(org, tracks=[track], description="<b>现场</b>")
    assert deployment.status == S.ASSEMBLING
    assert list(deployment.required_tracks.all()) == [track]
    assert deployment.description == "<b>现场</b>"  # kept as text, escaped on pages
    assert deployment.transitions.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CRISIS).count() == 1


@pytest.mark.parametrize("who", ["sibling", "leader", "trainee", "supervisor"])
def test_others_cannot_describe_a_need_for_the_east_room(org, who):
    with pytest.raises(PermissionDenied):
        _need(org, actor=getattr(org, who))
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    "overrides, words",
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 100_000}, "too long"),
        ({"title": "a\x00b"}, "cannot be saved"),
        ({"description": "y" * 100_000}, "too long"),
        ({"incident_type": "<script>"}, "kind of incident"),
        ({"size": 0}, "from 1 to 200"),
        ({"size": 201}, "from 1 to 200"),
        ({"ends_on": days(-1), "starts_on": days(0)}, "before the first day"),
        ({"starts_on": days(-5), "ends_on": days(-1)}, "has passed"),
        ({"ends_on": days(400)}, "at most 366 days"),
    ],
)
def test_a_bad_need_is_refused_with_a_sentence_and_nothing_is_saved(
    org, overrides, words
):
    with pytest.raises(ValidationError) as refused:
        _need(org, **overrides)
    assert words in " ".join(refused.value.messages)
    assert not Deployment.objects.exists()


def test_tracks_and_tiers_from_outside_the_scope_are_refused(org):
    west_track = make_track(org.west, code="west-only")
    west_tier = make_scheme(org.west)[0]
    with pytest.raises(ValidationError):
        _need(org, tracks=[west_track])
    with pytest.raises(ValidationError):
        _need(org, tier=west_tier)
    assert not Deployment.objects.exists()


# --- calling out --------------------------------------------------------------


def test_calling_out_stores_only_a_hash_and_sends_a_link_that_expires(org):
    # given a deployment ending in five days and two free people
    deployment = _need(org, ends_on=days(5))
    a, b = make_person(org.east_room, "a"), make_person(org.east_room, "b")
    # when
    callouts = services.deployment_call(
        actor=org.coordinator, deployment=deployment, person_ids=[a.pk, b.pk]
    )
    # then
    deployment.refresh_from_db()
    assert deployment.status == S.CALLED
    assert {c.person for c in callouts} == {a, b}
    for callout in callouts:
        notice = Notice.objects.get(person=callout.person)
        token = _token_of(notice)
        assert len(token) >= 40
        assert callout.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in callout.token_hash
        assert callout.reasons  # why they were proposed, kept with the call-out
        hours = (callout.token_expires_at - timezone.now()).total_seconds() / 3600
        assert 71 < hours <= 72  # the deployment ends later than 72 hours
    assert not any(
        _token_of(Notice.objects.get(person=a)) in e.detail
        for e in AuditEvent.objects.all()
    )


def test_a_link_expires_with_the_deployment_when_that_is_sooner(org):
    deployment = _need(org, starts_on=days(0), ends_on=days(0))
    person = make_person(org.east_room)
    (callout,) = services.deployment_call(
        actor=org.coordinator, deployment=deployment, person_ids=[person.pk]
    )
    end = timezone.localtime(callout.token_expires_at)
    assert end.date() == days(1) and end.hour == 0 and end.minute == 0


def test_calling_more_than_the_places_left_is_refused(org):
    deployment = _need(org, size=2)
    people = [make_person(org.east_room) for _ in range(3)]
    with pytest.raises(ValidationError) as refused:
        services.deployment_call(
            actor=org.coordinator,
            deployment=deployment,
            person_ids=[p.pk for p in people],
        )
    assert "at most 2 more" in refused.value.messages[0]
    assert not CallOut.objects.exists()


def test_calling_someone_busy_unqualified_or_outside_is_refused(org):
    track = make_track(org.city, code="crisis")
    deployment = _need(org, tracks=[track])
    holder = make_person(org.east_room, "holder")
    certify(holder, track)
    lacking = make_person(org.east_room, "lacking")
    beside = make_person(org.west_room, "beside")
    certify(beside, track)
    for person in (lacking, beside):
        with pytest.raises(ValidationError) as refused:
            services.deployment_call(
                actor=org.coordinator,
                deployment=deployment,
                person_ids=[holder.pk, person.pk],
            )
        assert "no longer free or qualified" in refused.value.messages[0]
        assert "beside" not in refused.value.messages[0]
    assert not CallOut.objects.exists()
    deployment.refresh_from_db()
    assert deployment.status == S.ASSEMBLING


def test_a_leader_cannot_call_out(org):
    deployment = _need(org)
    with pytest.raises(PermissionDenied):
        services.deployment_call(
            actor=org.leader,
            deployment=deployment,
            person_ids=[org.trainee.pk],
        )


def test_nobody_ticked_is_refused(org):
    with pytest.raises(ValidationError):
        services.deployment_call(
            actor=org.coordinator, deployment=_need(org), person_ids=[]
        )


# --- filling, standing down, closing, cancelling ------------------------------


def _called(org, size=2):
    deployment = make_deployment(
        org.east, created_by=org.coordinator, size=size, status=S.CALLED
    )
    first = make_person(org.east_room, "first", full_name="甲")
    second = make_person(org.east_room, "second", full_name="乙")
    one, _ = make_callout(deployment, first, status=C.DECLINED)
    two, _ = make_callout(deployment, second, status=C.ACCEPTED)
    return deployment, one, two


def test_a_declined_place_is_filled_from_the_next_ranked_person(org):
    deployment, declined, _accepted = _called(org)
    make_person(org.east_room, "next", full_name="丙")
    new = services.callout_fill(actor=org.coordinator, callout=declined)
    assert new.replaces == declined
    assert new.status == C.CALLED and new.token_hash
    assert new.person.username not in ("first", "second")
    assert Notice.objects.filter(person=new.person).exists()
    # and the same place cannot be filled twice
    with pytest.raises(ValidationError):
        services.callout_fill(actor=org.coordinator, callout=declined)


def test_a_place_still_held_is_not_filled(org):
    _deployment, _declined, accepted = _called(org)
    with pytest.raises(ValidationError) as refused:
        services.callout_fill(actor=org.coordinator, callout=accepted)
    assert "still holds" in refused.value.messages[0]


def test_an_overdue_call_out_is_expired_and_then_filled(org):
    deployment = make_deployment(
        org.east, created_by=org.coordinator, size=1, status=S.CALLED
    )
    silent, _ = make_callout(
        deployment,
        make_person(org.east_room, "silent"),
        expires_in=datetime.timedelta(minutes=-1),
    )
    new = services.callout_fill(actor=org.coordinator, callout=silent)
    silent.refresh_from_db()
    assert silent.status == C.EXPIRED and silent.token_hash == ""
    assert new.replaces == silent


def test_filling_when_nobody_is_left_says_so(org):
    # given a deployment needing a certificate nobody else holds
    deployment, declined, _ = _called(org)
    deployment.required_tracks.set([make_track(org.city, code="rare")])
    with pytest.raises(ValidationError) as refused:
        services.callout_fill(actor=org.coordinator, callout=declined)
    assert "Nobody else" in refused.value.messages[0]
    assert deployment.callouts.count() == 2


def test_the_sibling_cannot_fill_or_stand_down(org):
    _deployment, declined, accepted = _called(org)
    with pytest.raises(PermissionDenied):
        services.callout_fill(actor=org.sibling, callout=declined)
    with pytest.raises(PermissionDenied):
        services.callout_withdraw(actor=org.sibling, callout=accepted)


def test_standing_down_frees_the_place_and_tells_the_person(org):
    _deployment, _declined, accepted = _called(org)
    services.callout_withdraw(
        actor=org.coordinator, callout=accepted, reason="<i>人员调整</i>"
    )
    accepted.refresh_from_db()
    assert accepted.status == C.WITHDRAWN
    assert "人员调整" in Notice.objects.get(person=accepted.person).text
    with pytest.raises(ValidationError):
        services.callout_withdraw(
            actor=org.coordinator, callout=accepted, reason="x" * 100_000
        )


def test_closing_expires_unanswered_links(org):
    deployment = make_deployment(org.east, created_by=org.coordinator, status=S.CALLED)
    waiting, _ = make_callout(deployment, make_person(org.east_room))
    services.deployment_close(actor=org.coordinator, deployment=deployment)
    deployment.refresh_from_db()
    waiting.refresh_from_db()
    assert deployment.status == S.CLOSED
    assert waiting.status == C.EXPIRED and waiting.token_hash == ""
    with pytest.raises(ValidationError):
        services.deployment_close(actor=org.coordinator, deployment=deployment)


def test_cancelling_needs_a_reason_and_stands_everyone_down(org):
    deployment, _declined, accepted = _called(org)
    with pytest.raises(ValidationError):
        services.deployment_cancel(
            actor=org.coordinator, deployment=deployment, reason="  "
        )
    services.deployment_cancel(
        actor=org.coordinator, deployment=deployment, reason="事件已平息"
    )
    deployment.refresh_from_db()
    accepted.refresh_from_db()
    assert deployment.status == S.CANCELLED
    assert accepted.status == C.WITHDRAWN
    assert "事件已平息" in Notice.objects.get(person=accepted.person).text


def test_the_expiry_sweep_is_idempotent_and_tells_the_coordinator_once(org):
    deployment = make_deployment(org.east, created_by=org.coordinator, status=S.CALLED)
    late, _ = make_callout(
        deployment,
        make_person(org.east_room),
        expires_in=datetime.timedelta(seconds=-5),
    )
    fresh, _ = make_callout(deployment, make_person(org.east_room))
    assert services.callouts_expire() == 1
    assert services.callouts_expire() == 0
    late.refresh_from_db()
    fresh.refresh_from_db()
    assert late.status == C.EXPIRED and fresh.status == C.CALLED
    assert Notice.objects.filter(person=org.coordinator).count() == 1
