import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.urls import reverse

from lms.core.models import AuditAction, AuditEvent, Role
from tests.conftest import PASSWORD
from tests.factories.core import UserFactory


@pytest.mark.parametrize(
    "user_attr, home",
    [
        ("trainee", "/learn/"),
        ("supervisor", "/practice/inbox/"),
        ("coordinator", "/manage/"),
        ("leader", "/reports/"),
    ],
)
def test_each_role_lands_on_its_home_page_in_chinese(org, client, user_attr, home):
    response = client.post(
        "/accounts/login/", {"login": user_attr, "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_login_by_email_works(org, client):
    response = client.post(
        "/accounts/login/", {"login": org.trainee.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_wrong_password_says_so(org, client):
    response = client.post("/accounts/login/", {"login": "trainee", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()


def test_repeated_failures_are_rate_limited_with_a_clear_message(org, client):
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": "trainee", "password": "nope"})
    # even the right password is refused while the limit holds
    response = client.post(
        "/accounts/login/", {"login": "trainee", "password": PASSWORD}
    )
    assert response.status_code == 200
    text = " ".join(response.context["form"].non_field_errors())
    assert "登录失败次数过多" in text or "Too many failed login attempts" in text
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN_BLOCKED).exists()


@pytest.mark.parametrize(
    "login_value", ["", " ", "x" * 5000, "' OR 1=1 --", "<script>alert(1)</script>"]
)
def test_hostile_login_input_is_refused_politely(org, client, login_value):
    response = client.post("/accounts/login/", {"login": login_value, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_signup_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert response.status_code == 200
    assert "form" not in response.context
    assert b"closed" in response.content or "关闭".encode() in response.content


def test_password_reset_sends_an_email(org, client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": org.trainee.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert org.trainee.email in mailoutbox[0].to


def test_password_change_requires_the_old_password(org, login):
    client = login(org.trainee)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "wrong",
            "password1": "new-secret-9876",
            "password2": "new-secret-9876",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    org.trainee.refresh_from_db()
    assert org.trainee.check_password(PASSWORD)


def test_mfa_is_required_for_privileged_roles_when_switched_on(org, client, settings):
    settings.LMS_REQUIRE_MFA = True
    response = client.post(
        "/accounts/login/", {"login": "coordinator", "password": PASSWORD}, follow=True
    )
    # the login lands on the authenticator set-up (allauth first asks the
    # password again, as it does before any security change), not on /manage/
    assert "/manage/" not in [url for url, _status in response.redirect_chain]
    assert "totp" in response.redirect_chain[-1][0]
    assert response.status_code == 200
    assert client.get("/manage/")["Location"] == reverse("mfa_activate_totp")


def test_mfa_not_required_of_trainees(org, login, settings):
    settings.LMS_REQUIRE_MFA = True
    assert login(org.trainee).get("/learn/").status_code == 200


def test_mfa_enrolled_supervisor_passes(org, client, settings):
    # given: a supervisor who enrolled TOTP and logs in with both factors
    settings.LMS_REQUIRE_MFA = True
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    TOTP.activate(org.supervisor, secret)
    client.post("/accounts/login/", {"login": "supervisor", "password": PASSWORD})
    code = format_hotp_value(hotp_value(secret, int(time.time() // 30)))
    client.post(reverse("mfa_authenticate"), {"code": code})
    # then
    assert client.get("/practice/inbox/").status_code == 200
    assert Authenticator.objects.filter(user=org.supervisor).count() == 1


def test_mfa_is_offered_to_everyone(org, login):
    assert login(org.trainee).get(reverse("mfa_index")).status_code == 200


def test_person_without_role_sees_a_plain_explanation(db, login):
    person = UserFactory()
    response = login(person).get("/", follow=True)
    assert response.status_code == 200
    assert (
        "coordinator" in response.content.decode().lower()
        or "培训管理员" in response.content.decode()
    )


def test_inactive_person_cannot_log_in(org, client):
    org.trainee.is_active = False
    org.trainee.save()
    response = client.post(
        "/accounts/login/", {"login": "trainee", "password": PASSWORD}
    )
    assert response.status_code != 302 or "inactive" in response["Location"]


def test_roles_are_groups(org):
    assert org.coordinator.roles == {Role.COORDINATOR}
    assert org.sibling.has_role(Role.LEADER)
