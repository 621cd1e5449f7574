"""Certificate pages: the register (scope, filters, exports), one
certificate, its PDF and revocation; who sees what."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lms.core.models import AuditAction, AuditEvent
from supervision.models import Certificate
from supervision.permissions import can_see_certificate
from supervision.selectors.certificates import certificates_visible_to
from supervision.services.certificates import certificate_pdf_make
from tests.factories.certificates import make_certificate, make_track
from tests.factories.core import UserFactory

REGISTER = "supervision:certificate_register"


def today():
    return timezone.localdate()


@pytest.fixture
def certs(org):
    """East: the trainee's valid one, an expiring one, an expired and a
    revoked one; west: the west trainee's one."""
    old = today() - datetime.timedelta(days=1200)
    east_track = make_track(org.east, name="团辅带领")
    other_track = make_track(org.city, name="心理讲师")
    return {
        "valid": make_certificate(org.trainee, east_track),
        "expiring": make_certificate(
            UserFactory(home_unit=org.east_room, full_name="即将到期"),
            other_track,
            issued_on=old,
            expires_on=today() + datetime.timedelta(days=20),
        ),
        "expired": make_certificate(
            UserFactory(home_unit=org.east, full_name="已过期"),
            east_track,
            issued_on=old,
            expires_on=today() - datetime.timedelta(days=2),
        ),
        "revoked": make_certificate(
            UserFactory(home_unit=org.east_room, full_name="=HYPERLINK(1)"),
            east_track,
            status=Certificate.Status.REVOKED,
        ),
        "west": make_certificate(org.west_trainee, other_track),
    }


def serials(response) -> set[str]:
    return set(c.serial for c in response.context["page"].object_list)


def test_the_register_holds_my_subtree_and_not_the_sibling_unit(login, org, certs):
    response = login(org.coordinator).get(reverse(REGISTER))
    assert response.status_code == 200
    assert certs["west"].serial not in response.content.decode()
    assert serials(response) == {
        certs[k].serial for k in ("valid", "expiring", "expired", "revoked")
    }
    sibling = login(org.sibling).get(reverse(REGISTER))
    assert serials(sibling) == {certs["west"].serial}


def test_a_city_leader_sees_both_stations(login, org, certs):
    response = login(org.city_leader).get(reverse(REGISTER))
    assert serials(response) == {c.serial for c in certs.values()}


@pytest.mark.parametrize("who", ["trainee", "supervisor"])
def test_the_register_is_for_coordinators_and_leaders(login, org, certs, who):
    assert login(getattr(org, who)).get(reverse(REGISTER)).status_code == 403


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "valid"}, {"valid", "expiring"}),
        ({"status": "expired"}, {"expired"}),
        ({"status": "revoked"}, {"revoked"}),
        ({"expiring_within": "30"}, {"expiring"}),
        ({"expiring_within": "10"}, set()),
        ({"status": "valid", "expiring_within": "3650"}, {"valid", "expiring"}),
    ],
)
def test_the_register_filters(login, org, certs, query, expected):
    response = login(org.leader).get(reverse(REGISTER), query)
    assert response.status_code == 200
    assert serials(response) == {certs[k].serial for k in expected}


def test_the_register_filters_by_track_and_unit(login, org, certs):
    client = login(org.coordinator)
    track = certs["valid"].track
    by_track = client.get(reverse(REGISTER), {"track": track.pk})
    assert serials(by_track) == {
        certs[k].serial for k in ("valid", "expired", "revoked")
    }
    by_unit = client.get(reverse(REGISTER), {"unit": org.east_room.pk})
    assert serials(by_unit) == {
        certs[k].serial for k in ("valid", "expiring", "revoked")
    }


@pytest.mark.parametrize(
    "query, field",
    [
        ({"unit": "west"}, "unit"),
        ({"unit": "99999999999999999999"}, "unit"),
        ({"status": "<script>"}, "status"),
        ({"expiring_within": "0"}, "expiring_within"),
        ({"expiring_within": "1e9"}, "expiring_within"),
        ({"expiring_within": "9" * 400}, "expiring_within"),
        ({"track": "-1"}, "track"),
    ],
)
def test_wrong_filters_answer_a_sentence(login, org, certs, query, field):
    response = login(org.coordinator).get(reverse(REGISTER), query)
    assert response.status_code == 400
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_a_sibling_unit_cannot_be_chosen_as_a_filter(login, org, certs):
    response = login(org.coordinator).get(reverse(REGISTER), {"unit": org.west.pk})
    assert response.status_code == 400
    assert serials(response) == {
        certs[k].serial for k in ("valid", "expiring", "expired", "revoked")
    }


def test_the_xlsx_export_holds_the_filtered_rows_with_formulas_neutralised(
    login, org, certs
):
    response = login(org.coordinator).get(
        reverse(REGISTER), {"format": "xlsx", "status": "revoked"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == certs["revoked"].serial
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=org.coordinator
    ).exists()


def test_the_csv_export_holds_my_subtree_only(login, org, certs):
    response = login(org.coordinator).get(reverse(REGISTER), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert {row[0] for row in rows[1:]} == {
        certs[k].serial for k in ("valid", "expiring", "expired", "revoked")
    }
    assert "'=HYPERLINK(1)" in text
    assert certs["west"].serial not in text


def test_the_register_costs_a_fixed_number_of_queries(
    login, org, certs, django_assert_max_num_queries
):
    client = login(org.coordinator)
    for _ in range(20):
        make_certificate(UserFactory(home_unit=org.east_room))
    with django_assert_max_num_queries(12):
        client.get(reverse(REGISTER))


# --- one certificate ------------------------------------------------------------


def detail(cert):
    return reverse("supervision:certificate_detail", args=[cert.pk])


def pdf(cert):
    return reverse("supervision:certificate_pdf", args=[cert.pk])


@pytest.mark.parametrize(
    "who, status",
    [
        ("trainee", 200),
        ("coordinator", 200),
        ("leader", 200),
        ("city_leader", 200),
        ("supervisor", 404),
        ("sibling", 404),
        ("west_trainee", 404),
    ],
)
def test_a_certificate_is_seen_by_its_holder_and_those_over_its_unit(
    login, org, certs, who, status
):
    assert login(getattr(org, who)).get(detail(certs["valid"])).status_code == status


def test_the_pdf_is_being_prepared_until_it_is_made(login, org, certs):
    client = login(org.trainee)
    cert = certs["valid"]
    page = client.get(detail(cert)).content.decode()
    assert 'data-testid="pdf-pending"' in page
    assert client.get(pdf(cert)).status_code == 404
    certificate_pdf_make(certificate_id=cert.pk)
    page = client.get(detail(cert)).content.decode()
    assert 'data-testid="certificate-pdf"' in page
    response = client.get(pdf(cert))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "who, status",
    [("trainee", 200), ("coordinator", 200), ("sibling", 404), ("supervisor", 404)],
)
def test_the_pdf_goes_to_those_who_see_the_certificate(login, org, certs, who, status):
    certificate_pdf_make(certificate_id=certs["valid"].pk)
    assert login(getattr(org, who)).get(pdf(certs["valid"])).status_code == status


def revoke(client, cert, reason):
    return client.post(
        reverse("supervision:certificate_revoke", args=[cert.pk]), {"reason": reason}
    )


def test_a_coordinator_revokes_from_the_page_with_a_reason(login, org, certs):
    client = login(org.coordinator)
    assert (
        'data-testid="revoke-form"'
        in client.get(detail(certs["valid"])).content.decode()
    )
    response = revoke(client, certs["valid"], "证书信息有误")
    assert response.status_code == 302
    certs["valid"].refresh_from_db()
    assert certs["valid"].status == Certificate.Status.REVOKED


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_revoking_without_a_sound_reason_shows_a_sentence(login, org, certs, reason):
    response = revoke(login(org.coordinator), certs["valid"], reason)
    assert response.status_code == 400
    assert 'data-testid="error-reason"' in response.content.decode()
    certs["valid"].refresh_from_db()
    assert certs["valid"].status == Certificate.Status.ISSUED
    assert not certs["valid"].transitions.exists()


@pytest.mark.parametrize(
    "who, status", [("leader", 403), ("trainee", 403), ("sibling", 404)]
)
def test_only_a_coordinator_over_the_unit_revokes(login, org, certs, who, status):
    response = revoke(login(getattr(org, who)), certs["valid"], "理由")
    assert response.status_code == status
    certs["valid"].refresh_from_db()
    assert certs["valid"].status == Certificate.Status.ISSUED


def test_revoking_a_revoked_certificate_is_refused_with_a_sentence(login, org, certs):
    response = revoke(login(org.coordinator), certs["revoked"], "again")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "who",
    [
        "trainee",
        "supervisor",
        "coordinator",
        "leader",
        "city_leader",
        "sibling",
        "west_trainee",
    ],
)
def test_can_see_certificate_agrees_with_certificates_visible_to(org, certs, who):
    user = getattr(org, who)
    visible = set(certificates_visible_to(user=user).values_list("pk", flat=True))
    for cert in certs.values():
        assert can_see_certificate(user, cert) == (cert.pk in visible), cert
