"""Browser tests: Playwright drives Debian's Chromium (never a downloaded browser).

Chromium comes from `apt-get install chromium` (.ci/run does it). Without it the tests are
skipped on a developer's machine and fail in CI, where they must run.
"""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every wait is on a state (an element, a value, a URL) and ends as soon as the state is there;
# this is only its ceiling, generous because `make test` and CI may share 2 cores with other work
# (a test failed at load 9 with the old 15 s). Never a fixed sleep.
STATE_TIMEOUT_MS = int(os.environ.get("E2E_STATE_TIMEOUT_MS", "60000"))

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
# browser steps are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium for the browser tests")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=STATE_TIMEOUT_MS)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STATE_TIMEOUT_MS)
    page.set_default_navigation_timeout(STATE_TIMEOUT_MS)
    yield page
    context.close()


def login(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    # Signed in once the portal has sent the browser elsewhere (networkidle may never come on a
    # page that polls, and may come before the redirect on a busy machine).
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def post_and_wait(page, button) -> None:
    """Click a button that posts a whole-page form and wait for the page the portal answers with.

    The answer (after the redirect) comes only once the server has done the work, so the
    database can be checked next. `wait_for_load_state` after a click is no such wait: it returns
    at once while the old page is still loaded.
    """
    with page.expect_navigation():
        button.click()
