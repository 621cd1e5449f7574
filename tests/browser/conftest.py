"""Playwright over Debian's Chromium against Django's live server."""

import os
import time

import pytest

CHROMIUM = os.environ.get("LMS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop; Django refuses ORM calls from
    # a thread with a running loop unless told this is fine (test code only).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized page; the site must work on a phone first."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    close_quietly(context)


def close_quietly(context) -> None:
    """Close a browser context and let requests it sent on the way out
    finish (the lesson player reports progress on ``pagehide``): one still
    running on the live server while the test database is flushed can
    deadlock PostgreSQL's TRUNCATE."""
    page = context.pages[0] if context.pages else None
    if page is not None:
        page.goto("about:blank")
    context.close()
    time.sleep(1)
