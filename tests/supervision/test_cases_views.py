"""Case pages: privacy against every other role (404), the audit row per
read of the notes, no-store headers, the counts page, and the forms with
wrong, empty, huge and hostile input."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from lms.core.models import AuditAction, AuditEvent, Role
from supervision.models import Case, CaseNote, Consent, Referral
from tests.factories.cases import EXE_BYTES, days_ago, upload
from tests.factories.core import UserFactory
from tests.factories.supervision import PDF_BYTES, assign, make_case

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def case(org):
    """The east trainee's case, supervised by the east supervisor, with a
    consent and a note."""
    case = make_case(org.trainee)
    assign(org.trainee, org.supervisor)
    CaseNote.objects.create(
        case=case, author=org.trainee, session_on=days_ago(1), body="会谈内容机密"
    )
    return case


def case_urls(case):
    consent = case.consents.get()
    return [
        reverse("supervision:case_detail", args=[case.pk]),
        reverse("supervision:case_note_create", args=[case.pk]),
        reverse("supervision:case_risk_change", args=[case.pk]),
        reverse("supervision:case_close", args=[case.pk]),
        reverse("supervision:consent_create", args=[case.pk]),
        reverse("supervision:consent_withdraw", args=[case.pk, consent.pk]),
        reverse("supervision:consent_form", args=[case.pk, consent.pk]),
        reverse("supervision:referral_create", args=[case.pk]),
    ]


def outsiders(org):
    other_supervisor = UserFactory(
        username="other_supervisor", home_unit=org.east, roles=[Role.SUPERVISOR]
    )
    assign(org.west_trainee, other_supervisor)
    other_trainee = UserFactory(
        username="other_trainee", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    superuser = UserFactory(
        username="root", home_unit=org.city, is_superuser=True, is_staff=True
    )
    return {
        "coordinator": org.coordinator,
        "leader": org.leader,
        "city_leader": org.city_leader,
        "sibling": org.sibling,
        "west_trainee": org.west_trainee,
        "other_supervisor": other_supervisor,
        "other_trainee": other_trainee,
        "superuser": superuser,
    }


def test_every_case_page_is_404_for_every_other_role(org, case, client):
    urls = case_urls(case)
    for name, person in outsiders(org).items():
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)
            assert client.post(url, {}).status_code in (404, 405), (name, url)
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_NOTES_READ).exists()
    assert CaseNote.objects.count() == 1
    assert Consent.objects.get().withdrawn_on is None


def test_anonymous_visitors_are_sent_to_log_in(case, client):
    for url in [*case_urls(case), reverse("supervision:case_list")]:
        response = client.get(url)
        assert response.status_code == 302
        assert (
            settings.LOGIN_URL in response["Location"]
            or "login" in response["Location"]
        )


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_the_practitioner_and_supervisor_see_the_notes_and_each_view_is_audited(
    org, case, login, who
):
    client = login(getattr(org, who))
    url = reverse("supervision:case_detail", args=[case.pk])
    # when the page is opened twice
    first = client.get(url)
    second = client.get(url)
    # then the notes show, both times, and two rows are in the audit log
    for response in (first, second):
        assert response.status_code == 200
        assert "会谈内容机密" in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
    rows = AuditEvent.objects.filter(
        action=AuditAction.CASE_NOTES_READ, object_id=str(case.pk)
    )
    assert rows.count() == 2
    assert {row.actor for row in rows} == {getattr(org, who)}


def test_the_case_list_shows_own_and_supervised_cases_only(org, case, login):
    west = make_case(org.west_trainee, consent=False)
    page = login(org.supervisor).get(reverse("supervision:case_list"))
    body = page.content.decode()
    assert case.client_code in body
    assert west.client_code not in body
    assert "no-store" in page["Cache-Control"]
    coordinator_page = login(org.coordinator).get(reverse("supervision:case_list"))
    assert coordinator_page.status_code == 200
    assert case.client_code not in coordinator_page.content.decode()


def test_the_summary_shows_counts_without_codes_or_text(org, case, login):
    # given another east case, closed with a referral, and a west case
    closed = make_case(org.supervisor, consent=False, risk_level="crisis")
    Referral.objects.create(
        case=closed,
        referred_on=days_ago(1),
        referred_to="医院",
        reason="转介理由",
        created_by=org.supervisor,
    )
    closed.closed_on = TODAY()
    closed.save()
    west = make_case(org.west_trainee, consent=False, presenting_issue="西区问题")
    # when the east coordinator opens the summary
    response = login(org.coordinator).get(reverse("supervision:case_summary"))
    # then counts, no codes, no text, no audit row
    assert response.status_code == 200
    body = response.content.decode()
    for secret in (case.client_code, closed.client_code, west.client_code):
        assert secret not in body
    for text in ("会谈内容机密", "工作压力", "转介理由", "西区问题"):
        assert text not in body
    rows = {row["unit"].code: row for row in response.context["summary"]["rows"]}
    assert set(rows) == {"east-room", "east"}
    assert rows["east-room"]["open"]["low"] == 1
    assert rows["east"]["closed"] == 1
    assert rows["east"]["referrals"] == 1
    assert response.context["summary"]["total"]["open_total"] == 1
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_NOTES_READ).exists()


def test_the_sibling_sees_only_the_west_counts(org, case, login):
    make_case(org.west_trainee, consent=False)
    response = login(org.sibling).get(reverse("supervision:case_summary"))
    codes = {row["unit"].code for row in response.context["summary"]["rows"]}
    assert codes == {"west-room"}


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_trainees_and_supervisors_get_no_summary(org, login, who):
    response = login(getattr(org, who)).get(reverse("supervision:case_summary"))
    assert response.status_code == 403


def test_a_case_is_opened_through_the_page(org, login):
    client = login(org.trainee)
    url = reverse("supervision:case_create")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"presenting_issue": "睡眠问题", "risk_level": "low", "opened_on": TODAY()},
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("supervision:case_detail", args=[case.pk])
    assert case.practitioner == org.trainee


@pytest.mark.parametrize(
    "data",
    [
        {"presenting_issue": "电话13812345678", "risk_level": "low"},
        {"presenting_issue": "", "risk_level": "low"},
        {"presenting_issue": "字" * 5000, "risk_level": "low"},
        {"presenting_issue": "<script>alert(1)</script>", "risk_level": "evil"},
        {"presenting_issue": "压力", "risk_level": "low", "opened_on": "2999-01-01"},
        {"presenting_issue": "压力", "risk_level": "low", "opened_on": "not a date"},
    ],
)
def test_a_bad_case_is_refused_with_a_sentence(org, login, data):
    response = login(org.trainee).post(
        reverse("supervision:case_create"), {"opened_on": TODAY(), **data}
    )
    assert response.status_code == 400
    assert response.context["form"].errors
    assert b"<script>alert" not in response.content
    assert not Case.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "leader", "sibling"])
def test_coordinators_and_leaders_cannot_open_a_case(org, login, who):
    response = login(getattr(org, who)).get(reverse("supervision:case_create"))
    assert response.status_code == 403


def test_a_note_with_a_phone_number_asks_for_confirmation(org, case, login):
    client = login(org.trainee)
    url = reverse("supervision:case_note_create", args=[case.pk])
    data = {"session_on": TODAY(), "body": "来访者手机 138 1234 5678"}
    # when the note is saved without confirmation
    refused = client.post(url, data)
    # then the warning and the checkbox show, and nothing is saved
    assert refused.status_code == 400
    assert 'name="confirm"' in refused.content.decode()
    assert "body" in refused.context["form"].errors
    assert CaseNote.objects.count() == 1
    # when it is confirmed
    saved = client.post(url, {**data, "confirm": "on"})
    assert saved.status_code == 302
    assert CaseNote.objects.count() == 2


def test_the_note_form_shows_no_confirm_box_for_plain_text(org, case, login):
    response = login(org.trainee).get(
        reverse("supervision:case_note_create", args=[case.pk])
    )
    assert 'name="confirm"' not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_NOTES_READ).exists()


def test_the_risk_level_changes_through_the_page(org, case, login):
    client = login(org.supervisor)
    url = reverse("supervision:case_risk_change", args=[case.pk])
    assert client.post(url, {"risk_level": "high"}).status_code == 302
    assert client.post(url, {"risk_level": "high"}).status_code == 400
    case.refresh_from_db()
    assert case.risk_level == "high"
    detail = client.get(reverse("supervision:case_detail", args=[case.pk]))
    assert len(detail.context["history"]) == 1


def test_a_referral_shows_on_the_case(org, case, login):
    client = login(org.trainee)
    response = client.post(
        reverse("supervision:referral_create", args=[case.pk]),
        {"referred_on": TODAY(), "referred_to": "市精神卫生中心", "reason": "需评估"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("supervision:case_detail", args=[case.pk]))
    assert "市精神卫生中心" in detail.content.decode()


def test_a_case_is_closed_through_the_page(org, case, login):
    client = login(org.trainee)
    url = reverse("supervision:case_close", args=[case.pk])
    assert client.post(url, {"closed_on": "2000-01-01"}).status_code == 400
    assert client.post(url, {"closed_on": TODAY()}).status_code == 302
    case.refresh_from_db()
    assert case.closed_on == TODAY()


def test_a_consent_is_recorded_and_withdrawn_through_the_pages(org, case, login):
    client = login(org.trainee)
    response = client.post(
        reverse("supervision:consent_create", args=[case.pk]),
        {
            "signed_on": TODAY(),
            "covers_recording": "on",
            "form": upload(name="../<b>x</b>.pdf"),
        },
    )
    assert response.status_code == 302
    consent = Consent.objects.latest("id")
    assert consent.covers_recording and not consent.covers_observation
    response = client.post(
        reverse("supervision:consent_withdraw", args=[case.pk, consent.pk]),
        {"withdrawn_on": TODAY(), "note": "不再同意录音"},
    )
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY()


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"plain text", "form.pdf"),
        (EXE_BYTES, "form.exe"),
        (b"", "form.pdf"),
    ],
)
def test_a_bad_upload_is_refused_on_the_page_and_nothing_is_left(
    org, case, login, media, content, name
):
    before = sorted(media.rglob("*"))
    response = login(org.trainee).post(
        reverse("supervision:consent_create", args=[case.pk]),
        {
            "signed_on": TODAY(),
            "covers_observation": "on",
            "form": upload(content, name),
        },
    )
    assert response.status_code == 400
    assert "form" in response.context["form"].errors
    assert Consent.objects.count() == 1
    assert sorted(media.rglob("*")) == before


def test_a_consent_without_a_file_or_coverage_is_refused(org, case, login):
    client = login(org.trainee)
    url = reverse("supervision:consent_create", args=[case.pk])
    assert (
        client.post(url, {"signed_on": TODAY(), "covers_observation": "on"}).status_code
        == 400
    )
    response = client.post(url, {"signed_on": TODAY(), "form": upload()})
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert Consent.objects.count() == 1


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_the_signed_form_is_served_as_an_attachment_and_audited(org, case, login, who):
    consent = case.consents.get()
    client = login(getattr(org, who))
    response = client.get(
        reverse("supervision:consent_form", args=[case.pk, consent.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action=AuditAction.CASE_NOTES_READ, detail__contains="consent form"
    ).exists()


def test_the_case_page_never_links_to_media(org, case, login):
    response = login(org.trainee).get(
        reverse("supervision:case_detail", args=[case.pk])
    )
    body = response.content.decode()
    assert settings.MEDIA_URL not in body
    assert case.consents.get().form.name not in body
    assert (
        reverse("supervision:consent_form", args=[case.pk, case.consents.get().pk])
        in body
    )
