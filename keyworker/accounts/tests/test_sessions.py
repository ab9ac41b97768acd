"""Sessions end on the server: after 30 idle minutes, 12 hours after sign-in, on sign-out (which also tells
the browser to clear the site's data) and when the account is disabled; a user can see and end their
other sessions (docs/decisions/0013)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from keyworker.core.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from keyworker.core.testing import PASSWORD, Personas, give_totp, totp_code


def _sign_in(client: Client, personas: Personas) -> None:
    """Through allauth's own pages: password, then the authenticator code."""
    give_totp(personas.you)
    client.post("/accounts/login/", {"login": personas.you.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert response.status_code == 302


def _shift(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    if "signed_in" in seconds_ago:
        session[SIGNED_IN_AT] = now - seconds_ago["signed_in"]
    if "last_seen" in seconds_ago:
        session[LAST_SEEN_AT] = now - seconds_ago["last_seen"]
    session.save()


@pytest.fixture(autouse=True)
def _mfa_required(settings: Any) -> None:
    settings.KEYWORKER_REQUIRE_MFA = True


def test_sign_in_starts_both_clocks(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    session = client.session
    assert time.time() - session[SIGNED_IN_AT] < 60
    assert time.time() - session[LAST_SEEN_AT] < 60


def test_idle_for_30_minutes_signs_out_on_the_server(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    _shift(client, signed_in=29 * 60, last_seen=29 * 60)
    assert client.get("/week/").status_code == 200  # 29 minutes idle: still signed in, and the clock resets
    assert time.time() - client.session[LAST_SEEN_AT] < 60

    _shift(client, last_seen=31 * 60)
    key = client.session.session_key
    response = client.get("/week/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Session.objects.filter(session_key=key).exists()
    login_page = client.get(response["Location"])
    assert b"signed out after 30 minutes without activity" in login_page.content
    assert client.get("/week/").status_code == 302


def test_sessions_last_at_most_12_hours_however_active(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    _shift(client, signed_in=11 * 3600 + 59 * 60, last_seen=30)
    assert client.get("/week/").status_code == 200
    _shift(client, signed_in=12 * 3600 + 60, last_seen=30)
    response = client.get("/week/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/week/").status_code == 302


def test_the_cookie_and_server_session_expire_within_12_hours() -> None:
    from keyworker import settings as project_settings

    assert project_settings.SESSION_COOKIE_AGE == 12 * 3600
    assert project_settings.KEYWORKER_SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert project_settings.KEYWORKER_SESSION_IDLE_SECONDS == 30 * 60
    assert project_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_active_use_does_not_write_the_session_on_every_request(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    client.get("/week/")
    before = Session.objects.get(session_key=client.session.session_key).session_data
    client.get("/week/")
    assert Session.objects.get(session_key=client.session.session_key).session_data == before


def test_sign_out_ends_the_session_and_clears_site_data(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/week/").status_code == 302


def test_other_responses_do_not_clear_site_data(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    assert "Clear-Site-Data" not in client.get("/week/")
    assert "Clear-Site-Data" not in client.get("/accounts/logout/")  # the confirmation page, not sign-out


def test_disabling_an_account_ends_its_sessions(client: Client, personas: Personas) -> None:
    _sign_in(client, personas)
    assert client.get("/week/").status_code == 200
    personas.you.is_active = False
    personas.you.save(update_fields=["is_active"])
    response = client.get("/week/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    # And they cannot sign back in.
    client.post("/accounts/login/", {"login": personas.you.email, "password": PASSWORD})
    assert client.get("/week/").status_code == 302


def test_a_user_sees_and_ends_their_other_sessions(personas: Personas) -> None:
    from allauth.usersessions.models import UserSession

    laptop, phone = Client(), Client(HTTP_USER_AGENT="Phone browser")
    _sign_in(laptop, personas)
    phone.post("/accounts/login/", {"login": personas.you.email, "password": PASSWORD})
    # The same code cannot be used twice; the one either side of now is accepted (MFA_TOTP_TOLERANCE = 1).
    assert phone.post("/accounts/2fa/authenticate/", {"code": totp_code(periods_ahead=1)}).status_code == 302
    assert UserSession.objects.filter(user=personas.you).count() == 2

    page = laptop.get("/accounts/sessions/")
    assert page.status_code == 200
    assert b"Phone browser" in page.content
    laptop.post("/accounts/sessions/", {})
    assert phone.get("/week/").status_code == 302  # the phone's session has ended
    assert laptop.get("/week/").status_code == 200  # this one carries on


def test_a_session_without_its_clocks_counts_from_the_users_last_sign_in(client: Client, personas: Personas) -> None:
    # e.g. a session from before this check existed: the absolute limit still applies.
    import datetime as dt

    from django.utils import timezone

    give_totp(personas.you)
    client.force_login(personas.you)
    assert client.get("/week/").status_code == 200
    session = client.session
    session.pop(SIGNED_IN_AT, None)
    session.pop(LAST_SEEN_AT, None)
    session.save()
    type(personas.you).objects.filter(pk=personas.you.pk).update(
        last_login=timezone.now() - dt.timedelta(hours=12, minutes=1)
    )
    response = client.get("/week/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
