"""Real headless Chromium (Debian's, never a downloaded browser) driving the live server, with axe-core
checking every page visited for WCAG 2.2 A and AA violations."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("KEYWORKER_CHROMIUM", "/usr/bin/chromium")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]

# Playwright's sync API runs an event loop in this thread; Django's ORM guard would refuse the test's own
# database calls (fixtures) while it runs. The live server answers requests in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing")
        # Only on a developer's machine without Chromium; in CI (above) a missing browser is a failure.
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    # The root conftest turns the MFA-required check off for force_login tests; in the browser it is on.
    settings.KEYWORKER_REQUIRE_MFA = True


class AxeChecked:
    """A page wrapper: every time the page has settled after navigation, run axe-core on it, and check that
    the browser reported no Content-Security-Policy violation on the way."""

    def __init__(self, page: Any):
        from axe_playwright_python.sync_playwright import Axe

        self.page = page
        self.axe = Axe()
        self.checked: list[str] = []
        self.csp_violations: list[str] = []
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{self.page.url}: {message.text}")

    def check(self) -> None:
        self.page.wait_for_load_state("networkidle")
        assert not self.csp_violations, "CSP violations:\n" + "\n".join(self.csp_violations)
        results = self.axe.run(self.page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                                   "resultTypes": ["violations"]})
        self.checked.append(self.page.url)
        assert results.violations_count == 0, f"axe-core on {self.page.url}:\n{results.generate_report()}"


@pytest.fixture
def page(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    yield pg
    context.close()


@pytest.fixture
def axe(page: Any) -> AxeChecked:
    return AxeChecked(page)


def sign_in(page: Any, user: Any, axe: AxeChecked | None = None) -> None:
    """Sign in as a person does: asked for a page, sent to sign in, e-mail and password, then the code from
    the user's authenticator app (MFA is required), landing on My week. `axe` checks both sign-in pages."""
    from keyworker.core.testing import PASSWORD, give_totp, totp_code

    give_totp(user)
    page.goto("/week/")
    assert "/accounts/login/" in page.url
    if axe:
        axe.check()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    if axe:
        axe.check()
    page.get_by_label("Code", exact=True).fill(totp_code())
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/week/"))
