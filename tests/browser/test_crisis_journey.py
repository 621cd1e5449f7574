"""A crisis call-out in Chromium, on a phone: the coordinator describes the
need for an incident and calls out the five people proposed; two accept
and one declines from the links in their notices (fresh browsers, no
login); the coordinator fills the declined place from the next person
proposed, who accepts; the rest accept, and the deployment page shows
all five places held by people who accepted."""

import pytest
from django.urls import reverse

from lms.core.models import Notice
from supervision.models import CallOut, Deployment
from tests.browser.conftest import close_quietly
from tests.browser.test_practice_journey import fits_the_phone, log_in
from tests.factories.certificates import make_track
from tests.factories.deployments import certify, days, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_from_the_notice(browser, live_server, person, answer: str) -> None:
    """Open ``person``'s call-out link in a browser that never logged in,
    on a phone, and tap accept or decline."""
    notice = Notice.objects.filter(person=person).order_by("-pk").first()
    assert notice is not None and notice.url.startswith("/crisis/answer/")
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(notice.url)
        assert page.get_by_test_id("answer").get_attribute("data-state") == "open"
        assert page.get_by_test_id("answer-title").inner_text().strip()
        assert fits_the_phone(page)
        page.get_by_test_id(f"{answer}-button").click()
        page.wait_for_load_state()
        state = page.get_by_test_id("answer").get_attribute("data-state")
        assert state == ("accepted" if answer == "accept" else "declined")
        # the link works once
        page.goto(notice.url)
        assert page.get_by_test_id("answer").get_attribute("data-state") == "invalid"
    finally:
        close_quietly(context)


def test_coordinator_assembles_five_two_accept_one_declines_the_gap_is_filled(
    org, phone, browser, live_server
):
    # given a crisis-intervention certificate held by seven people of the
    # east station's room (and one of the west, outside the coordinator's units)
    track = make_track(org.city, code="crisis", name="危机干预")
    people = [
        make_person(org.east_room, f"member{i}", full_name=f"队员{i}") for i in range(7)
    ]
    for person in people + [make_person(org.west_room, "beside")]:
        certify(person, track)

    # when the coordinator describes the need on a phone
    log_in(phone, "coordinator", "/manage/")
    phone.goto(reverse("supervision:deployment_new"))
    assert fits_the_phone(phone)
    phone.select_option("select[name=incident_type]", "harrowing_scene")
    phone.fill("input[name=title]", "交通事故现场处置民警心理援助")
    phone.select_option("select[name=unit]", str(org.east_room.pk))
    phone.fill("input[name=starts_on]", days(0).isoformat())
    phone.fill("input[name=ends_on]", days(2).isoformat())
    phone.fill("input[name=size]", "5")
    phone.check(f"input[name=tracks][value='{track.pk}']")
    phone.get_by_test_id("deployment-save").click()
    phone.wait_for_url("**/practice/crisis/deployments/*/")
    deployment = Deployment.objects.get()
    detail = reverse("supervision:deployment_detail", args=[deployment.pk])

    # then the proposal lists the seven with reasons, the first five ticked
    candidates = phone.get_by_test_id("candidate")
    assert candidates.count() == 7
    assert phone.locator("input[name=people]:checked").count() == 5
    assert "危机干预" in candidates.first.inner_text()
    assert "beside" not in phone.get_by_test_id("proposal").inner_html()
    assert fits_the_phone(phone)

    # when they call the five out
    phone.get_by_test_id("call-button").click()
    phone.wait_for_url(f"**{detail}")
    count = phone.get_by_test_id("places-count")
    assert count.get_attribute("data-held") == "5"
    assert count.get_attribute("data-accepted") == "0"
    called = [c.person for c in deployment.callouts.order_by("rank")]
    assert len(called) == 5

    # and two accept and one declines from their notices, without logging in
    answer_from_the_notice(browser, live_server, called[0], "accept")
    answer_from_the_notice(browser, live_server, called[1], "accept")
    answer_from_the_notice(browser, live_server, called[2], "decline")

    # then the page shows who answered and when, and the declined place
    phone.goto(detail)
    declined = phone.locator(f"[data-testid=callout][data-person={called[2].username}]")
    assert declined.get_attribute("data-status") == "declined"
    assert phone.locator("[data-testid=callout][data-status=accepted]").count() == 2
    assert phone.get_by_test_id("answered-at").count() == 3
    assert count.get_attribute("data-held") == "4"

    # when the coordinator fills the gap from the next person proposed
    declined.get_by_test_id("fill-button").click()
    phone.wait_for_url(f"**{detail}")
    replacement = CallOut.objects.get(replaces__person=called[2])
    assert replacement.person not in called
    assert count.get_attribute("data-held") == "5"

    # and the replacement and the two still waiting accept
    for person in [replacement.person, called[3], called[4]]:
        answer_from_the_notice(browser, live_server, person, "accept")

    # then five places are held, all accepted, and the page says so
    phone.goto(detail)
    assert count.get_attribute("data-held") == "5"
    assert count.get_attribute("data-accepted") == "5"
    assert phone.get_by_test_id("team-complete").is_visible()
    assert phone.get_by_test_id("proposal").count() == 0
    assert fits_the_phone(phone)
