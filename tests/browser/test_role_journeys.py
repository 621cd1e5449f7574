"""Each role logs in, sees its Chinese home page, switches to English and
logs out, on a phone-sized screen."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    # username: (path, Chinese heading, English heading)
    "trainee": ("/learn/", "我的学习", "My learning"),
    "supervisor": ("/practice/inbox/", "督导", "Supervision"),
    "coordinator": ("/manage/", "管理", "Management"),
    "leader": ("/reports/", "报表", "Reports"),
}


@pytest.mark.parametrize("username", list(HOMES))
def test_role_logs_in_sees_chinese_home_switches_to_english_and_logs_out(
    org, phone, username
):
    path, zh_heading, en_heading = HOMES[username]
    # given the login page, in Chinese by default
    phone.goto("/accounts/login/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    # when the person logs in
    phone.fill("input[name=login]", username)
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("form button[type=submit]").first.click()
    # then they land on their own home page, in Chinese
    phone.wait_for_url(f"**{path}")
    assert phone.get_by_test_id("home-heading").inner_text() == zh_heading
    # the page fits a phone: nothing wider than the viewport
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # when they switch to English
    phone.get_by_test_id("language-select").select_option("en")
    phone.get_by_test_id("language-submit").click()
    phone.wait_for_url(f"**{path}")
    assert phone.get_by_test_id("home-heading").inner_text() == en_heading
    assert phone.locator("html").get_attribute("lang") == "en"
    # and log out
    phone.get_by_test_id("logout").click()
    phone.wait_for_url("**/accounts/login/**")
    phone.goto(path)
    assert "/accounts/login/" in phone.url
