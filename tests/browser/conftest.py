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
        yield WatchedBrowser(browser)
        browser.close()


class WatchedBrowser:
    """Chromium whose every context records Content-Security-Policy
    violations the console reports, so a journey fails on any of them."""

    def __init__(self, browser):
        self._browser = browser
        self.violations: list[str] = []

    def new_context(self, **kwargs):
        context = self._browser.new_context(**kwargs)
        context.on("console", self._console)
        return context

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"{message.location.get('url')}: {message.text}")

    def __getattr__(self, name):
        return getattr(self._browser, name)


@pytest.fixture(autouse=True)
def no_csp_violations(request):
    """Every browser journey ends with no CSP violation in any console."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    browser.violations.clear()
    yield
    assert browser.violations == [], "\n".join(browser.violations)


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


def wait_until(page, predicate: str, timeout: float = 15.0) -> None:
    """Poll ``predicate`` (a JavaScript function) until it returns true.

    Playwright's ``wait_for_function`` compiles its predicate with
    ``new Function`` inside the page, which the site's content security
    policy rightly forbids; ``evaluate`` goes through the debugger instead.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {predicate}")
        time.sleep(0.1)


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
