"""A trainee checks in to an offline session on a phone: by the QR link,
then by the short code; the coordinator's screen counts them without a
reload."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance
from courses.services.attendance import attendance_check_in
from lms.core import checkin
from lms.core.models import HoursEntry
from tests.browser.conftest import close_quietly, wait_until
from tests.conftest import PASSWORD
from tests.factories.sessions import code_now, make_session, token_now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, home):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**{home}")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_trainee_checks_in_by_the_qr_link_and_then_by_the_short_code(org, phone):
    lecture = make_session(org.east, title="压力管理讲座")
    group = make_session(
        org.east_room, title="团体心理辅导", kind="group", place="东区一室"
    )
    log_in(phone, "trainee", "/learn/")
    # given the link the QR code on the screen holds
    phone.goto(
        reverse("sessions:check_in", args=[lecture.pk]) + "?t=" + token_now(lecture)
    )
    assert phone.get_by_test_id("session-title").inner_text() == "压力管理讲座"
    assert fits_the_phone(phone)
    # when the trainee taps the big button
    button = phone.get_by_test_id("check-in-button")
    assert button.bounding_box()["height"] >= 60
    button.click()
    # then they are checked in, and the hours are credited once
    phone.get_by_test_id("checked-in").wait_for()
    attendance = Attendance.objects.get(session=lecture, person=org.trainee)
    assert attendance.method == Attendance.Method.QR
    assert HoursEntry.objects.filter(person=org.trainee).count() == 1
    # when, for the second session, their phone cannot scan: the code form
    phone.get_by_test_id("code-link").click()
    phone.wait_for_url("**/sessions/check-in/code/")
    assert fits_the_phone(phone)
    phone.get_by_test_id("code-session").select_option(str(group.pk))
    phone.locator("input[name=code]").fill(code_now(group))
    phone.get_by_test_id("code-check-in").click()
    # then they land on that session's page, checked in by code
    phone.wait_for_url(f"**{reverse('sessions:check_in', args=[group.pk])}")
    phone.get_by_test_id("checked-in").wait_for()
    assert (
        Attendance.objects.get(session=group, person=org.trainee).method
        == Attendance.Method.CODE
    )
    assert HoursEntry.objects.filter(person=org.trainee).count() == 2


def test_a_wrong_code_on_the_phone_says_why_and_checks_no_one_in(org, phone):
    lecture = make_session(org.east)
    wrong = f"{(int(code_now(lecture)) + 1) % 1_000_000:06d}"
    log_in(phone, "trainee", "/learn/")
    phone.goto(reverse("sessions:check_in_code"))
    phone.locator("input[name=code]").fill(wrong)
    phone.get_by_test_id("code-check-in").click()
    error = phone.locator("[data-testid=code-errors] li")
    error.wait_for()
    # a whole sentence, in Chinese by default
    assert error.inner_text() == "签到码不正确，请核对所选活动和屏幕上的数字。"
    assert not Attendance.objects.exists()


def test_the_screen_counts_a_check_in_without_a_reload(
    org, browser, live_server, monkeypatch
):
    # The screen polls every 20 s; a second will do for the test.
    monkeypatch.setattr(checkin, "SCREEN_REFRESH_SECONDS", 1)
    lecture = make_session(org.east)
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, base_url=live_server.url
    )
    screen = context.new_page()
    screen.set_default_timeout(15_000)
    try:
        log_in(screen, "coordinator", "/manage/")
        screen.goto(reverse("sessions:screen", args=[lecture.pk]))
        assert screen.get_by_test_id("present-count").inner_text() == "0"
        assert screen.locator("[data-testid=qr] svg path").count() == 1
        # a trainee checks in on their phone (here: straight through the link)
        link = screen.get_by_test_id("check-in-link").get_attribute("href")
        assert "?t=" in link
        attendance_check_in(
            person=org.trainee, session=lecture, token=link.split("?t=", 1)[1]
        )
        wait_until(
            screen,
            "() => document.querySelector('[data-testid=present-count]')"
            ".textContent === '1'",
        )
        assert screen.locator("[data-testid=qr] svg path").count() == 1
    finally:
        close_quietly(context)


def test_the_code_form_starts_on_the_session_on_now_and_the_code_checks_in(org, phone):
    # given a session earlier today that has ended and one on now
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0)
    if now - midnight < datetime.timedelta(hours=2):
        pytest.skip("needs a session earlier today that has closed")
    make_session(org.east, title="早间讲座", starts_at=midnight, minutes=30)
    lecture = make_session(org.east, title="正在进行的讲座")
    log_in(phone, "trainee", "/learn/")
    phone.goto(reverse("sessions:check_in_code"))
    # then the list starts on the one on now, not the day's first
    chosen = phone.get_by_test_id("code-session").evaluate(
        "el => el.options[el.selectedIndex].text"
    )
    assert "正在进行的讲座" in chosen
    # and the code on its screen checks the trainee in without choosing
    phone.fill("input[name=code]", code_now(lecture))
    phone.get_by_test_id("code-check-in").click()
    phone.get_by_test_id("checked-in").wait_for()
    assert Attendance.objects.get(person=org.trainee).session == lecture
