"""Browser tests: Playwright for Python driving Debian's Chromium against
pytest-django's live server (transactional DB shared with real worker processes).

Never downloads a browser: /usr/bin/chromium (apt-get install chromium) or the
tests are skipped with a message saying so."""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
HAS_CHROMIUM = os.path.exists(CHROMIUM)
SKIP_REASON = f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install -y chromium); not found"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

e2e = [pytest.mark.e2e, pytest.mark.skipif(not HAS_CHROMIUM, reason=SKIP_REASON)]


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module (the Playwright loop and the flag below end with it)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on this thread; the ORM calls the
    # browser tests make around it are ordinary synchronous code. Only while they run.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (own cookies) on the live server."""
    contexts = []

    def open_page(locale="en-US"):
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 860})
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def login(page, username, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#loginButton")
    page.wait_for_url("**/")


def screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


class RequestLog:
    """Times of the browser's requests to one path (page.on("request"))."""

    def __init__(self, page, path):
        self.times = []
        page.on("request", lambda request: self._seen(request, path))

    def _seen(self, request, path):
        if path in request.url:
            self.times.append(time.monotonic())

    def count(self):
        return len(self.times)
