"""First-week fixes (issue 16): the console, /admin/ for people without
admin access, the favicon, the login page's words and what follows setting
a password from an invitation."""

import io
import logging
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from lms.core.invitations import invitation_url
from lms.core.log_filters import NoTracebackForClientErrors
from lms.core.models import Role
from tests.conftest import PASSWORD
from tests.factories.core import UserFactory


@pytest.fixture
def console():
    """What the console handler of ``LOGGING`` prints during the test."""
    handler = next(
        h
        for h in logging.getLogger("django").handlers
        if any(isinstance(f, NoTracebackForClientErrors) for f in h.filters)
    )
    stream = io.StringIO()
    before = handler.setStream(stream)
    yield stream
    handler.setStream(before)


def test_a_refused_page_is_one_console_line_without_a_traceback(org, login, console):
    response = login(org.trainee).get("/manage/")
    assert response.status_code == 403
    printed = console.getvalue()
    assert "Forbidden (Permission denied): /manage/" in printed
    assert "Traceback" not in printed and "PermissionDenied" not in printed


def test_a_server_error_keeps_its_traceback(console):
    logger = logging.getLogger("django.request")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logger.error("Internal Server Error", exc_info=True, extra={"status_code": 500})
    assert "Traceback" in console.getvalue()


@pytest.mark.parametrize("role", ["trainee", "supervisor", "leader"])
def test_admin_without_admin_access_is_the_403_page_not_a_redirect_loop(
    org, login, role
):
    client = login(getattr(org, role))
    for path in ("/admin/", "/admin/pages/", "/admin/snippets/"):
        response = client.get(path)
        assert response.status_code == 403, path
        page = response.content.decode()
        assert "无权访问" in page and reverse("core:home") in page


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_admin_opens_for_those_with_admin_access(org, login, role):
    person = (
        UserFactory(username="root", is_superuser=True, is_staff=True)
        if role == "admin"
        else org.coordinator
    )
    assert login(person).get("/admin/").status_code == 200


def test_admin_access_follows_the_permission_not_the_role(org, login):
    # a trainee given admin access by hand is let in; logout stays reachable
    org.trainee.user_permissions.add(
        Permission.objects.get(
            codename="access_admin", content_type__app_label="wagtailadmin"
        )
    )
    client = login(org.trainee)
    assert client.get("/admin/").status_code == 200
    client = login(org.leader)
    assert client.get("/admin/logout/").status_code in (302, 303)


def test_admin_for_a_visitor_still_asks_for_the_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_favicon_is_served(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"
    assert client.head("/favicon.ico").status_code == 200
    body = client.get("/accounts/login/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/core/favicon[^"]*\.ico">', body)


def visible_words(html: str) -> str:
    """Text nodes plus the attributes people read (placeholder, title,
    aria-label, button values)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    readable = re.findall(
        r'(?:placeholder|title|aria-label)="([^"]*)"', html, flags=re.I
    )
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join([text, *readable])


def test_login_page_words(client, db):
    page = client.get("/accounts/login/").content.decode()
    words = visible_words(page)
    assert "用户名或电子邮箱" in words
    assert "登录:" not in words and "登录：" not in words
    assert not re.search(r"\w:\s*<", page.split("<form", 1)[1]), "an ASCII colon"


ACCOUNT_PAGES = [
    ("account_login", False),
    ("account_reset_password", False),
    ("account_reset_password_done", False),
    ("account_email", True),
    ("account_change_password", True),
    ("mfa_index", True),
    ("mfa_activate_totp", True),
]


@pytest.mark.parametrize(("name", "signed_in"), ACCOUNT_PAGES)
def test_account_pages_say_email_in_chinese(org, client, name, signed_in):
    if signed_in:
        client.force_login(org.trainee)
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    words = visible_words(response.content.decode())
    assert not re.search(r"e-?mail", words, flags=re.I), re.findall(
        r".{0,20}e-?mail.{0,20}", words, flags=re.I
    )


def test_the_welcome_message_names_the_person_not_the_login(org, client):
    org.trainee.full_name = "张伟"
    org.trainee.save(update_fields=["full_name"])
    response = client.post(
        "/accounts/login/", {"login": "trainee", "password": PASSWORD}, follow=True
    )
    said = " ".join(str(m) for m in response.context["messages"])
    assert "张伟" in said and "trainee" not in said


def test_after_setting_a_password_from_an_invitation_the_page_leads_to_login(
    org, client
):
    # given a person invited without a password
    person = UserFactory(
        username="newcomer", home_unit=org.east_room, roles=[Role.TRAINEE]
    )
    person.set_unusable_password()
    person.save()
    # when they follow the link and choose a password
    form = client.get(invitation_url(person), follow=True)
    assert form.status_code == 200
    new_password = "a-long-new-pass-9051"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else invitation_url(person),
        {"password1": new_password, "password2": new_password},
        follow=True,
    )
    # then the page says so and offers the login
    page = done.content.decode()
    assert done.status_code == 200
    login_link = re.search(r'<a[^>]*href="/accounts/login/"[^>]*>([^<]*)</a>', page)
    assert login_link and login_link.group(1).strip() == "去登录"
    person.refresh_from_db()
    assert person.check_password(new_password)
