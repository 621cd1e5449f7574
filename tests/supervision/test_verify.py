"""The public certificate check under /verify/: no login, only the listed
fields, exact serials only, never cached or indexed, rate-limited."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.core.models import Role
from supervision.models import Certificate
from supervision.selectors.certificates import serial_normalise
from tests.factories.certificates import make_certificate
from tests.factories.core import UserFactory

KEYS = {"status", "holder", "track", "unit", "issued_on", "expires_on"}


@pytest.fixture
def certificates(org):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=1200)
    return {
        "valid": make_certificate(org.trainee),
        "expired": make_certificate(
            org.west_trainee,
            issued_on=past,
            expires_on=today - datetime.timedelta(days=1),
        ),
        "revoked": make_certificate(org.supervisor, status=Certificate.Status.REVOKED),
    }


def page(client, serial):
    return client.get(reverse("verify:page", args=[serial]))


def as_json(client, serial):
    return client.get(reverse("verify:json", args=[serial]))


@pytest.mark.parametrize("standing", ["valid", "expired", "revoked"])
def test_the_json_says_the_standing_and_only_the_listed_fields(
    client, certificates, standing
):
    certificate = certificates[standing]
    response = as_json(client, certificate.serial)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == KEYS
    assert body["status"] == standing
    assert body["holder"] == certificate.holder.full_name
    assert body["track"] == certificate.track.name
    assert body["unit"] == certificate.unit.name
    assert body["issued_on"] == certificate.issued_on.isoformat()
    assert body["expires_on"] == certificate.expires_on.isoformat()


def test_a_certificate_without_expiry_has_null_expires_on(client, org):
    certificate = make_certificate(org.leader, expires_on=None)
    assert as_json(client, certificate.serial).json()["expires_on"] is None


@pytest.mark.parametrize("standing", ["valid", "expired", "revoked"])
def test_the_page_shows_the_standing_without_login(client, certificates, standing):
    certificate = certificates[standing]
    response = page(client, certificate.serial)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-status="{standing}"' in html
    assert certificate.holder.full_name in html
    assert certificate.track.name in html
    assert certificate.unit.name in html


def test_the_page_reveals_nothing_beyond_the_listed_fields(client, org, certificates):
    # given the holder has another certificate, a username, an e-mail address
    other = make_certificate(org.trainee, renews=certificates["valid"])
    html = page(client, certificates["valid"].serial).content.decode()
    assert org.trainee.username not in html
    assert org.trainee.email not in html
    assert other.serial not in html
    assert "logout" not in html  # nobody is logged in


def test_an_unknown_serial_is_a_404_with_status_unknown(client, certificates):
    response = as_json(client, "ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404
    assert response.json() == {"status": "unknown"}
    response = page(client, "ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404
    assert 'data-status="unknown"' in response.content.decode()


def test_a_prefix_or_a_pattern_finds_nothing(client, certificates):
    serial = certificates["valid"].serial
    for probe in (serial[:4], serial[:-1], "%", "____-____-____-____", "*"):
        assert as_json(client, probe).json() == {"status": "unknown"}
        assert page(client, probe).status_code == 404


def test_answers_are_not_cached_or_indexed(client, certificates):
    for response in (
        page(client, certificates["valid"].serial),
        as_json(client, certificates["valid"].serial),
        as_json(client, "NOPE"),
        client.get(reverse("verify:form")),
    ):
        assert response["Cache-Control"] == "no-store"
        assert response["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    "typed",
    [
        "abcd-efgh-jkmn-pqrs",
        " ABCD EFGH JKMN PQRS ",
        "ABCDEFGHJKMNPQRS",
        "ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ－ＰＱＲＳ",
        "abcd—efgh–jkmn pqrs",
    ],
)
def test_a_serial_typed_any_way_is_normalised(typed):
    assert serial_normalise(typed) == "ABCD-EFGH-JKMN-PQRS"


@pytest.mark.parametrize(
    "typed", ["ABCD-EFGH", "ABCD-EFGH-JKMN-PQR0", "<script>", "x" * 5000, ""]
)
def test_what_cannot_be_a_serial_is_refused_without_a_lookup(typed):
    assert serial_normalise(typed) is None


def test_the_form_takes_a_serial_typed_loosely_to_its_page(client, certificates):
    serial = certificates["valid"].serial
    typed = " " + serial.lower().replace("-", "") + " "
    response = client.get(reverse("verify:form"), {"serial": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("verify:page", args=[serial])
    assert client.get(response["Location"]).status_code == 200


def test_a_lowercase_serial_in_the_url_is_found(client, certificates):
    serial = certificates["valid"].serial
    assert as_json(client, serial.lower()).json()["status"] == "valid"


@pytest.mark.parametrize("typed", ["12", "<script>alert(1)</script>", "字" * 500])
def test_the_form_answers_wrong_input_with_a_sentence(client, typed):
    response = client.get(reverse("verify:form"), {"serial": typed})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="verify-error"' in html
    assert "<script>alert(1)</script>" not in html


def test_the_empty_form_is_a_page(client, db):
    response = client.get(reverse("verify:form"))
    assert response.status_code == 200
    assert 'data-testid="verify-form"' in response.content.decode()


def test_too_many_lookups_from_one_address_answer_429(client, settings, certificates):
    settings.LMS_VERIFY_RATE = "3/10m"
    serial = certificates["valid"].serial
    answers = [as_json(client, serial).status_code for _ in range(3)]
    assert answers == [200, 200, 200]
    limited = as_json(client, serial)
    assert limited.status_code == 429
    assert limited.json() == {"status": "rate_limited"}
    assert limited["Cache-Control"] == "no-store"
    html = page(client, "ABCD-EFGH-JKMN-PQRS")
    assert html.status_code == 429
    assert 'data-testid="verify-limited"' in html.content.decode()
    # another address is not held back
    other = client.get(
        reverse("verify:json", args=[serial]), REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 200


def test_unknown_serials_count_against_the_limit_too(client, settings, db):
    settings.LMS_VERIFY_RATE = "2/1h"
    codes = [as_json(client, f"ABCD-EFGH-JKMN-PQR{c}").status_code for c in "STU"]
    assert codes == [404, 404, 429]


def test_a_signed_in_coordinator_without_mfa_still_reaches_the_check(
    client, settings, certificates
):
    # given the second factor is required of coordinators and this one has none
    settings.LMS_REQUIRE_MFA = True
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    client.force_login(coordinator)
    # then the public check answers rather than sending them to set one up
    response = page(client, certificates["valid"].serial)
    assert response.status_code == 200


def test_the_json_is_utf8_chinese(client, certificates):
    response = as_json(client, certificates["valid"].serial)
    assert json.loads(response.content.decode("utf-8"))["track"] == "团辅带领"
    assert "团辅带领".encode() in response.content
