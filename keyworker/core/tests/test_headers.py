"""Security headers on every page (docs/decisions/0014): a strict Content-Security-Policy with no inline
script or style, nosniff, no framing, `Cache-Control: no-store` on pages holding personal data, and
production settings that pass `check --deploy` with secure `__Host-` cookies."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from keyworker.core.testing import Personas

PROJECT_DIR = Path(__file__).resolve().parents[3]


def _csp(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _signed_in(client: Client, personas: Personas) -> Client:
    client.force_login(personas.you)
    return client


@pytest.mark.parametrize("path", ["/week/", "/caseload/", "/search/?q=alex", "/accounts/login/", "/healthz"])
def test_strict_csp_on_pages(client: Client, personas: Personas, path: str) -> None:
    if path != "/accounts/login/":
        _signed_in(client, personas)
    response = client.get(path)
    assert response.status_code == 200, path
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'"
    assert all(v == "'self'" or v.startswith("'nonce-") for v in csp["script-src"])
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    header = response["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header and "*" not in header


def test_the_only_inline_script_carries_the_requests_nonce(client: Client, personas: Personas) -> None:
    response = _signed_in(client, personas).get("/week/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"])
    assert nonce
    page = response.content.decode()
    inline = [tag for tag in re.findall(r"<script[^>]*>", page) if "src=" not in tag]
    assert inline == [f'<script nonce="{nonce.group(1)}">']
    assert "style=" not in page  # no style attributes: style-src 'self' would block them
    assert "<style" not in page
    # htmx is told not to add its own inline <style> for indicators.
    assert """<meta name="htmx-config" content='{"includeIndicatorStyles":false}'>""" in page
    # A fresh nonce on every response.
    again = client.get("/week/")["Content-Security-Policy"]
    assert nonce.group(0) not in again


def test_allauth_pages_have_no_inline_script(client: Client, personas: Personas) -> None:
    page = client.get("/accounts/login/").content.decode()
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page))
    assert 'src="/static/js/js-enabled.js"' in page


def test_swagger_docs_live_under_the_same_strict_policy(client: Client, personas: Personas) -> None:
    response = _signed_in(client, personas).get("/api/v1/docs")
    assert response.status_code == 200
    csp = _csp(response)
    assert csp["style-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    page = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", page)
    assert all("src=" in tag or "application/json" in tag for tag in scripts)  # JSON data, never executed


@pytest.mark.parametrize("path", ["/week/", "/caseload/", "/accounts/sessions/", "/api/v1/clients"])
def test_no_store_on_authenticated_pages(client: Client, personas: Personas, path: str) -> None:
    response = _signed_in(client, personas).get(path)
    assert response.status_code == 200, path
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_other_security_headers(client: Client, personas: Personas) -> None:
    response = _signed_in(client, personas).get("/week/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("KEYWORKER_", "DJANGO_"))}
    clean.update({"DJANGO_SETTINGS_MODULE": "keyworker.settings", **env})
    return subprocess.run(
        [sys.executable, str(PROJECT_DIR / "manage.py"), *args],
        cwd=PROJECT_DIR, env=clean, capture_output=True, text=True, timeout=120, check=False,
    )


def _production(tmp_path: Path) -> dict[str, str]:
    return {
        "KEYWORKER_PRODUCTION": "1",
        "KEYWORKER_SECRET_KEY": secrets.token_urlsafe(50)[:50],
        "KEYWORKER_DATA_DIR": str(tmp_path),
    }


def test_production_settings_pass_check_deploy(tmp_path: Path) -> None:
    result = _run(["check", "--deploy"], **_production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_uses_host_prefixed_secure_cookies_and_hsts(tmp_path: Path) -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.DEBUG)"
    )
    result = _run(["shell", "--no-imports", "-c", code], **_production(tmp_path), KEYWORKER_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid", "__Host-csrftoken", "True", "True", "31536000", "True", "True", "False"
    ]
    # `make run` (plain http on loopback) keeps ordinary cookies, which a browser would not send back over
    # http with the Secure flag or a __Host- name.
    result = _run(["shell", "--no-imports", "-c", code], KEYWORKER_DATA_DIR=str(tmp_path))
    assert result.stdout.split()[:4] == ["sessionid", "csrftoken", "False", "False"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _run(["check"], KEYWORKER_PRODUCTION="1", KEYWORKER_DATA_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "KEYWORKER_SECRET_KEY" in result.stderr
