"""The practice + supervision loop in Chromium: a trainee signs up for a
duty shift, checks in by its QR link, logs an observation of a consented
case and submits it; the supervisor returns it with a comment from the
inbox; the trainee revises and resubmits; the supervisor approves; the
trainee sees the hours."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from lms.core.models import HoursCategory, HoursEntry
from supervision.models import EntryTransition, PracticeEntry, ShiftSignup
from tests.browser.conftest import CHROMIUM_ARGS, close_quietly  # noqa: F401
from tests.conftest import PASSWORD
from tests.factories.shifts import token_for
from tests.factories.supervision import assign, make_case, make_shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, username, lands_on):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"**{lands_on}")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 390


@pytest.fixture
def desk(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    close_quietly(context)


def test_shift_check_in_observation_returned_resubmitted_approved(org, phone, desk):
    # given a shift at the east station starting in 20 minutes (check-in is
    # open from 30 minutes before), the supervisor on duty, and a case the
    # supervisor holds with the client's consent to observation on file
    shift = make_shift(
        org.east,
        supervisor=org.supervisor,
        starts_at=timezone.now() + datetime.timedelta(minutes=20),
        title="周二上午值班",
    )
    case = make_case(org.supervisor, unit=org.east)
    assign(org.trainee, org.supervisor)

    # the trainee signs up on their phone
    log_in(phone, "trainee", "/learn/")
    phone.goto(reverse("supervision:shift_list"))
    assert fits_the_phone(phone)
    phone.get_by_test_id("signup").first.click()
    # the shift starts within the cut-off: the page says it cannot be
    # cancelled once taken, and nothing is written until they confirm
    assert not ShiftSignup.objects.filter(shift=shift, person=org.trainee).exists()
    assert fits_the_phone(phone)
    phone.get_by_test_id("confirm-signup-button").click()
    phone.get_by_test_id("signed-up").first.wait_for()
    assert (
        ShiftSignup.objects.get(shift=shift, person=org.trainee).status == "signed_up"
    )

    # and checks in by the link the QR code on the centre's screen holds
    phone.goto(
        reverse("supervision:shift_check_in", args=[shift.pk])
        + "?t="
        + token_for(shift)
    )
    phone.get_by_test_id("check-in-button").click()
    phone.get_by_test_id("checked-in").wait_for()
    assert ShiftSignup.objects.get(shift=shift, person=org.trainee).checked_in_at

    # then logs the observation, linked to the shift, by the case's code
    phone.goto(reverse("supervision:entry_create"))
    assert fits_the_phone(phone)
    phone.locator("select[name=kind]").select_option("observation")
    # (dated today, the day of the check-in: near midnight the shift itself
    # may start tomorrow, and practice cannot be dated in the future)
    phone.locator("input[name=occurred_on]").fill(timezone.localdate().isoformat())
    phone.locator("input[name=minutes]").fill("50")
    phone.locator("input[name=client_code]").fill(case.client_code)
    phone.locator("select[name=shift]").select_option(str(shift.pk))
    phone.locator("textarea[name=reflection]").fill("观察咨询师如何建立关系。")
    phone.get_by_test_id("save-entry").click()
    phone.get_by_test_id("submit").click()
    phone.get_by_test_id("status").first.wait_for()
    entry = PracticeEntry.objects.get(person=org.trainee)
    assert entry.status == PracticeEntry.Status.SUBMITTED
    assert entry.case == case and entry.shift == shift

    # the supervisor returns it from the inbox with a comment
    log_in(desk, "supervisor", "/practice/inbox/")
    row = desk.locator(f"[data-testid=signoff-row][data-pk='{entry.pk}']")
    row.locator("summary").click()
    row.locator("textarea[name=comment]").fill("请补充你观察到的具体技术。")
    row.get_by_test_id("return").click()
    desk.wait_for_url("**/practice/inbox/**")
    entry.refresh_from_db()
    assert entry.status == PracticeEntry.Status.RETURNED

    # the trainee sees the comment, revises and resubmits
    phone.goto(reverse("supervision:entry_detail", args=[entry.pk]))
    assert "请补充你观察到的具体技术。" in phone.get_by_test_id("history").inner_text()
    phone.get_by_test_id("edit").click()
    phone.locator("textarea[name=reflection]").fill(
        "观察咨询师运用倾听与情感反映建立关系。"
    )
    phone.get_by_test_id("save-entry").click()
    phone.get_by_test_id("submit").click()
    phone.get_by_test_id("status").first.wait_for()
    entry.refresh_from_db()
    assert entry.status == PracticeEntry.Status.RESUBMITTED

    # the supervisor approves it in place
    desk.goto(reverse("supervision:inbox_show"))
    desk.locator(f"[data-testid=signoff-row][data-pk='{entry.pk}']").get_by_test_id(
        "approve"
    ).click()
    desk.wait_for_url("**/practice/inbox/**")
    entry.refresh_from_db()
    assert entry.status == PracticeEntry.Status.APPROVED

    # and the trainee sees the hours: 50 minutes, credited once
    phone.goto(reverse("supervision:entry_list"))
    assert phone.get_by_test_id("hours-approved").inner_text().startswith("0.83")
    credit = HoursEntry.objects.get(person=org.trainee)
    assert (credit.category, credit.hours) == (HoursCategory.PRACTICE, Decimal("0.83"))
    steps = list(
        EntryTransition.objects.filter(entry=entry).values_list("to_status", flat=True)
    )
    assert steps[-4:] == ["submitted", "returned", "resubmitted", "approved"]
