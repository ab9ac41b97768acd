"""MFA end to end in Chromium: a worker without an authenticator app is made to set one up before any page,
then sees their recovery codes, their sign-in security page and their sessions; every page passes axe-core
and the browser reports no Content-Security-Policy violation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from keyworker.core.testing import PASSWORD, make_personas, totp_code
from keyworker.e2e.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_worker_without_mfa_must_set_it_up_first(page: Any, axe: Any) -> None:
    personas = make_personas()
    user = personas.teammate
    assert not Authenticator.objects.filter(user=user).exists()

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    # Signed in with a password only: every page leads to setting up the authenticator app.
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    page.goto("/caseload/")
    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.get_by_role("heading", name="Set up your authenticator app").is_visible()
    axe.check()

    # Scan-free: read the key shown for typing into an app and answer with the code it gives now.
    secret = page.locator("#totp-secret").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill("000000" if totp_code(secret) != "000000" else "111111")
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("There is a problem").wait_for()
    axe.check()
    page.get_by_label("Code from your authenticator app").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert page.locator("#recovery_codes li").count() == 10
    axe.check()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    page.goto("/week/")
    assert page.get_by_role("heading", name="My week", level=1).is_visible()
    axe.check()

    for path, heading in (("/accounts/2fa/", None), ("/accounts/sessions/", None)):
        page.goto(path)
        assert re.search(path, page.url), page.url
        if heading:
            assert page.get_by_role("heading", name=heading).is_visible()
        axe.check()

    page.goto("/week/")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/login/|/$"))
    page.goto("/week/")
    assert "/accounts/login/" in page.url





def test_changing_mfa_asks_for_the_password_again(page: Any, axe: Any) -> None:
    sign_in(page, make_personas().you)
    page.goto("/accounts/2fa/recovery-codes/generate/")
    page.wait_for_url(re.compile(r"/accounts/reauthenticate/"))
    axe.check()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/generate/"))
    axe.check()
    page.get_by_role("button", name="Generate").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    axe.check()
    assert Authenticator.objects.filter(type=Authenticator.Type.RECOVERY_CODES).count() == 1


def test_api_docs_work_under_the_content_security_policy(page: Any, axe: Any) -> None:
    """Swagger UI (ninja's own static files) renders with no CSP violation under the same strict policy."""
    sign_in(page, make_personas().you)
    page.goto("/api/v1/docs")
    page.locator(".swagger-ui .information-container").wait_for()
    page.locator(".opblock").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert not axe.csp_violations, axe.csp_violations
