"""The call-out link: no login needed, single-use, expiring, refused to a
signed-in someone else, never answered by a GET, rate-limited, and never
written to the request log or the audit log."""

import datetime
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from lms.core.models import AuditEvent, Notice, Role
from lms.core.models.org import role_group
from supervision.models import CallOut, Deployment
from supervision.services import deployments as services
from tests.factories.deployments import make_callout, make_deployment, make_person

pytestmark = pytest.mark.django_db

C = CallOut.Status


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def called(org):
    """A called-out deployment of the east room and one waiting call-out."""
    deployment = make_deployment(
        org.east_room,
        created_by=org.coordinator,
        status=Deployment.Status.CALLED,
        title="疫情静默心理支持",
    )
    person = make_person(org.east_room, "member")
    callout, token = make_callout(deployment, person)
    return callout, token


def url(token):
    return reverse("crisis:answer", args=[token])


def test_the_link_shows_the_deployment_and_two_buttons_without_login(client, called):
    callout, token = called
    response = client.get(url(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "疫情静默心理支持" in body and callout.deployment.unit.name in body
    assert 'value="accept"' in body and 'value="decline"' in body
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    # a GET (a mail scanner, a link preview) answers nothing
    callout.refresh_from_db()
    assert callout.status == C.CALLED and callout.token_hash


def test_accepting_works_once(client, called):
    callout, token = called
    response = client.post(url(token), {"answer": "accept", "note": "随时出发"})
    assert response.status_code == 200
    assert "you accepted" in response.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.ACCEPTED
    assert callout.answered_at is not None and callout.answer_note == "随时出发"
    assert callout.token_hash == ""
    # the second use, either answer, changes nothing
    again = client.post(url(token), {"answer": "decline"})
    assert again.status_code == 404
    assert "not valid" in again.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.ACCEPTED
    assert client.get(url(token)).status_code == 404


def test_declining_tells_the_coordinator(client, called, org):
    callout, token = called
    client.post(url(token), {"answer": "decline"})
    callout.refresh_from_db()
    assert callout.status == C.DECLINED
    notice = Notice.objects.get(person=org.coordinator)
    assert "declined" in notice.text
    assert notice.url == reverse(
        "supervision:deployment_detail", args=[callout.deployment_id]
    )


def test_an_expired_link_is_refused_with_a_sentence(client, org):
    deployment = make_deployment(
        org.east, created_by=org.coordinator, status=Deployment.Status.CALLED
    )
    callout, token = make_callout(
        deployment, make_person(org.east_room), expires_in=datetime.timedelta(-1)
    )
    shown = client.get(url(token))
    assert shown.status_code == 410
    assert "expired" in shown.content.decode()
    answered = client.post(url(token), {"answer": "accept"})
    assert answered.status_code == 400
    assert "expired" in answered.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.EXPIRED and callout.token_hash == ""
    assert callout.answered_at is None


def test_someone_else_signed_in_cannot_use_the_link(client, called, org):
    callout, token = called
    client.force_login(org.trainee)
    refused = client.post(url(token), {"answer": "decline"})
    assert refused.status_code == 403
    assert "sent to someone else" in refused.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.CALLED and callout.token_hash
    # the person it was sent to still can
    client.force_login(callout.person)
    assert client.post(url(token), {"answer": "accept"}).status_code == 200
    callout.refresh_from_db()
    assert callout.status == C.ACCEPTED


def test_the_service_refuses_someone_else_and_keeps_the_link(called, org):
    callout, token = called
    with pytest.raises(PermissionDenied):
        services.callout_answer(token=token, answer="accept", user=org.coordinator)
    assert services.callout_answer(token=token, answer="accept").status == C.ACCEPTED


@pytest.mark.parametrize(
    "token",
    ["wrong", "x" * 43, "y" * 5000, "<img src=x onerror=alert(1)>", "%00"],
)
def test_a_wrong_token_changes_nothing(client, called, token):
    callout, _real = called
    for response in (
        client.get(url(token)),
        client.post(url(token), {"answer": "accept"}),
    ):
        assert response.status_code == 404
        assert "<img src=x" not in response.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.CALLED


def test_a_wrong_token_of_impossible_length_costs_no_query(
    called, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert services.callout_find("y" * 5000) is None
        assert services.callout_answer(token="y" * 5000, answer="accept") is None


@pytest.mark.parametrize(
    "data, words",
    [
        ({}, "accept or to decline"),
        ({"answer": "maybe"}, "accept or to decline"),
        ({"answer": "<script>"}, "accept or to decline"),
        ({"answer": "accept", "note": "n" * 100_000}, "too long"),
        ({"answer": "accept", "note": "a\x00b"}, "cannot be saved"),
    ],
)
def test_a_bad_answer_is_refused_and_the_link_still_works(client, called, data, words):
    callout, token = called
    response = client.post(url(token), data)
    assert response.status_code == 400
    assert words in response.content.decode()
    callout.refresh_from_db()
    assert callout.status == C.CALLED and callout.token_hash


def test_a_hostile_note_is_kept_as_text_and_escaped(client, called, org):
    callout, token = called
    client.post(url(token), {"answer": "decline", "note": "<script>alert(1)</script>"})
    callout.refresh_from_db()
    assert callout.answer_note == "<script>alert(1)</script>"
    client.force_login(org.coordinator)
    page = client.get(
        reverse("supervision:deployment_detail", args=[callout.deployment_id])
    )
    body = page.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_withdrawn_or_cancelled_call_out_link_stops_working(client, called, org):
    callout, token = called
    services.callout_withdraw(actor=org.coordinator, callout=callout)
    assert client.post(url(token), {"answer": "accept"}).status_code == 404
    callout.refresh_from_db()
    assert callout.status == C.WITHDRAWN


def test_the_answer_page_is_rate_limited(client, called, settings):
    settings.LMS_CALLOUT_RATE = "3/10m"
    _callout, token = called
    for _ in range(3):
        assert client.get(url("guess")).status_code == 404
    limited = client.get(url(token))
    assert limited.status_code == 429
    assert "Too many" in limited.content.decode()


def test_the_token_is_never_logged_nor_audited(client, called, caplog):
    callout, token = called
    with caplog.at_level(logging.DEBUG):
        client.get(url(token + "x"))
        client.post(url(token), {"answer": "maybe"})
        client.post(url(token), {"answer": "accept"})
        client.post(url(token), {"answer": "accept"})
    assert token not in caplog.text
    assert AuditEvent.objects.filter(object_id=str(callout.pk)).exists()
    for event in AuditEvent.objects.all():
        assert token not in event.detail and token not in event.object_repr
    with pytest.raises(ValidationError):
        services.callout_answer(token=token, answer="later")


def test_a_signed_in_supervisor_without_a_second_factor_still_answers(
    client, called, settings
):
    # given the second factor is required and the person called has none
    settings.LMS_REQUIRE_MFA = True
    callout, token = called
    callout.person.groups.add(role_group(Role.SUPERVISOR))
    client.force_login(callout.person)
    # then the link answers rather than sending them to set one up first
    response = client.post(url(token), {"answer": "accept"})
    assert response.status_code == 200
    callout.refresh_from_db()
    assert callout.status == C.ACCEPTED
