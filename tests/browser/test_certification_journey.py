"""Certification in Chromium: a trainee sees what is missing on a phone
and follows the next-step link, completes the last requirement, and
applies; the coordinator approves from the queue.  (The certificate and
its public check page extend this journey where that code lives.)"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from supervision.models import Enrolment
from supervision.services.certificates import verify_url
from tests.browser.conftest import CHROMIUM_ARGS, close_quietly  # noqa: F401
from tests.browser.test_practice_journey import desk, fits_the_phone, log_in  # noqa: F401
from tests.factories.tracks import (
    approved_hotline,
    enrol,
    make_track,
    verified_qualification,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_trainee_follows_the_next_step_applies_and_is_approved(
    org,
    phone,
    desk,  # noqa: F811
    browser,
    live_server,
):
    # given a track asking for a verified qualification and two approved
    # hotline entries; the trainee has the qualification and one entry
    track = make_track(org.east, hotline=2)
    enrolment = enrol(org.trainee, track)
    verified_qualification(org.trainee)
    approved_hotline(org.trainee, org.supervisor, 1)
    track_url = reverse("supervision:certification_track", args=[enrolment.pk])

    # when the trainee opens their tracks on the phone
    log_in(phone, "trainee", "/learn/")
    phone.goto(reverse("supervision:certification_home"))
    phone.get_by_test_id("enrolment").get_by_role("link").click()
    phone.wait_for_url(f"**{track_url}")
    # then they see what is missing and the next step, on a page that fits
    gap = phone.locator("[data-testid=requirement][data-met=no]")
    assert gap.count() == 1
    assert "1 / 2" in gap.get_by_test_id("figures").inner_text()
    assert gap.get_by_test_id("missing").inner_text().strip()
    assert phone.get_by_test_id("apply-button").count() == 0
    assert fits_the_phone(phone)
    step = gap.get_by_test_id("next-step")
    target = step.get_attribute("href")
    step.click()
    phone.wait_for_url(f"**{target}")

    # when the last entry is approved (by the supervisor, elsewhere)
    approved_hotline(org.trainee, org.supervisor, 1)
    phone.goto(track_url)
    # then every requirement is met and the trainee applies
    assert phone.locator("[data-testid=requirement][data-met=no]").count() == 0
    phone.get_by_test_id("apply-button").click()
    phone.wait_for_url(f"**{track_url}")
    assert phone.get_by_test_id("status").inner_text().strip() in (
        "已申请，等待决定",
        "Applied, waiting for a decision",
    )

    # when the coordinator opens the queue and approves
    log_in(desk, "coordinator", "/manage/")
    desk.goto(reverse("supervision:certification_queue"))
    desk.get_by_test_id("application").get_by_role("link").click()
    desk.wait_for_url(f"**{track_url}")
    desk.locator("input[name=decision][value=approve]").check()
    desk.get_by_test_id("decide-button").click()
    desk.wait_for_url(f"**{track_url}")
    # then the enrolment is approved, and the trainee's page says so
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.APPROVED
    assert desk.get_by_test_id("decide").count() == 0
    phone.goto(track_url)
    assert phone.get_by_test_id("status").get_attribute("class").endswith("is-approved")

    # and a certificate is issued whose QR URL opens, without login, in a
    # browser that has never seen the site, and says it is valid
    certificate = enrolment.certificates.get()
    path = urlsplit(verify_url(certificate)).path
    stranger = browser.new_context(locale="zh-CN", base_url=live_server.url)
    try:
        page = stranger.new_page()
        page.goto(path)
        assert page.get_by_test_id("verify-status").get_attribute("data-status") == (
            "valid"
        )
        assert page.get_by_test_id("verify-track").inner_text().strip() == track.name
        assert page.locator("[data-testid=verify-holder]").inner_text().strip()
    finally:
        close_quietly(stranger)
