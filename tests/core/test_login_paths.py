"""There is one way to log in: allauth's, with its rate limits, MFA and audit.

Every other authentication entry point (Wagtail's admin login, logout and
password reset, Wagtail's front-end login) sends people to it, and a session
that did not come through it is not trusted for a person with a second
factor.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.core import mail
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from lms.core.models import AuditAction, AuditEvent
from tests.conftest import PASSWORD

CREDENTIAL_FIELDS = {
    "username": "supervisor",
    "login": "supervisor",
    "email": "supervisor@example.com",
    "password": PASSWORD,
    "password1": PASSWORD,
    "password2": PASSWORD,
}

# allauth's own pages that take a password or a code: the one login path.
ALLAUTH_CREDENTIAL_URLS = {"/accounts/login/", "/accounts/2fa/authenticate/"}


def enrol_totp(user) -> str:
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time() // 30)))


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def static_paths() -> list[str]:
    """Every URL of the project that takes no argument, as a path."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for entry in patterns:
            route = str(entry.pattern)
            if "<" in route or "(?P" in route or "^" in route.lstrip("^"):
                continue
            route = route.lstrip("^").rstrip("$")
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + route)
            elif isinstance(entry, URLPattern):
                found.append("/" + prefix + route)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


@pytest.mark.parametrize(
    "path",
    [
        "/admin/login/",
        "/admin/logout/",
        "/admin/password_reset/",
        "/admin/password_reset/done/",
        "/admin/password_reset/confirm/MQ/abc-123/",
        "/admin/password_reset/complete/",
        "/_util/login/",
    ],
)
def test_other_authentication_pages_send_people_to_allauth(client, db, path):
    response = client.get(path + "?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/")


def test_wagtail_login_does_not_log_in_even_with_the_right_password(org, client):
    # when
    response = client.post(
        "/admin/login/", {"username": "supervisor", "password": PASSWORD}
    )
    # then: sent to allauth's page, and not signed in
    assert response.status_code == 303
    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)


def test_wagtail_login_does_not_open_during_allauths_lock_out(org, client):
    # given: allauth's lock-out after five wrong passwords
    for _ in range(6):
        client.post("/accounts/login/", {"login": "supervisor", "password": "nope"})
    # when
    client.post("/admin/login/", {"username": "supervisor", "password": PASSWORD})
    # then
    assert not signed_in(client)


def test_wagtail_password_reset_sends_no_mail(org, client, mailoutbox):
    for _ in range(8):
        client.post("/admin/password_reset/", {"email": org.supervisor.email})
    assert mailoutbox == []


def test_wagtail_account_page_changes_no_password_or_email(org, login):
    client = login(org.supervisor)
    page = client.get("/admin/account/").content.decode()
    assert 'name="password' not in page
    assert "new_password" not in page
    assert 'name="email-email"' not in page


def test_no_url_but_allauths_accepts_credentials(org, client):
    # given: a person with a second factor
    enrol_totp(org.supervisor)
    # when: credentials are posted to every URL of the project
    for path in static_paths():
        if path in ALLAUTH_CREDENTIAL_URLS:
            continue
        client.post(path, CREDENTIAL_FIELDS)
        # then: nowhere does that sign anyone in
        assert not signed_in(client), path
        client.cookies.clear()
    assert not any(e.action == AuditAction.LOGIN for e in AuditEvent.objects.all()), (
        "only allauth's login writes login rows"
    )


def test_allauth_login_asks_for_the_second_factor(org, client):
    # given
    secret = enrol_totp(org.supervisor)
    # when: the right password
    response = client.post(
        "/accounts/login/", {"login": "supervisor", "password": PASSWORD}
    )
    # then: not yet signed in, the code is asked for
    assert response["Location"] == reverse("mfa_authenticate")
    assert not signed_in(client)
    assert client.get("/practice/inbox/").status_code == 302
    # when: the code
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    # then
    assert signed_in(client)
    assert client.get("/practice/inbox/").status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.LOGIN, actor=org.supervisor
    ).exists()


def test_a_session_made_outside_allauth_is_ended_for_a_person_with_mfa(org, client):
    # given: a session created by some other login path (no allauth records)
    enrol_totp(org.supervisor)
    client.force_login(org.supervisor)
    # when
    response = client.get("/practice/inbox/")
    # then: logged out and sent to the one login page
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not signed_in(client)


def test_a_session_made_outside_allauth_is_kept_without_mfa(org, client):
    # A person without a second factor loses nothing by the other path being
    # closed; the guard costs them one query and no logout.
    client.force_login(org.trainee)
    assert client.get("/learn/").status_code == 200
    assert signed_in(client)


def test_every_login_is_rate_limited_and_audited_on_the_one_path(org, client):
    for _ in range(6):
        client.post("/accounts/login/", {"login": "trainee", "password": "nope"})
    response = client.post(
        "/accounts/login/", {"login": "trainee", "password": PASSWORD}
    )
    assert not signed_in(client)
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).count() >= 5
    assert mail.outbox == []
