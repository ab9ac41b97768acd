"""Signing in, failing to, signing out and being refused access all leave audit events, without passwords
and without the text typed as the login."""

from __future__ import annotations

import json
import uuid

from django.urls import reverse

from keyworker.accounts.models import Role
from keyworker.audit.chain import verify_chain
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.services import access_denied, login_fingerprint
from keyworker.core.testing import PASSWORD

WRONG = "nope-nope-nope-secret"


def events(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def stored_text() -> str:
    return json.dumps(list(AuditEvent.objects.values()), default=str)


def test_signing_in_is_recorded_with_the_role(client, personas):
    assert client.login(email=personas.manager.email, password=PASSWORD)
    (event,) = events(AuditAction.SIGN_IN)
    assert (event.actor, event.actor_role) == (personas.manager, Role.MANAGER)
    assert (event.object_type, event.object_id) == ("accounts.user", str(personas.manager.pk))


def test_a_failed_sign_in_is_recorded_once_without_password_or_login(client, personas):
    response = client.post(
        reverse("account_login"), {"login": personas.you.email, "password": WRONG}, REMOTE_ADDR="198.51.100.9"
    )
    assert response.status_code == 200
    (event,) = events(AuditAction.SIGN_IN_FAILED)
    assert event.actor is None and event.source_ip == "198.51.100.9"
    assert (event.object_type, event.object_id) == ("accounts.user", str(personas.you.pk))
    assert event.detail["login_hmac"] == login_fingerprint(personas.you.email)
    text = stored_text()
    assert WRONG not in text and personas.you.email not in text
    assert not events(AuditAction.SIGN_IN)


def test_a_failed_sign_in_for_nobody_keeps_no_trace_of_what_was_typed(client, db):
    typed = "my-password-typed-in-the-wrong-box"
    client.login(email=typed, password=WRONG)
    (event,) = events(AuditAction.SIGN_IN_FAILED)
    assert event.object_id == "" and event.detail["login_hmac"] == login_fingerprint(typed)
    assert typed not in stored_text() and WRONG not in stored_text()
    assert login_fingerprint(typed) == login_fingerprint(f"  {typed.upper()} ")  # same attempt, same mark


def test_signing_out_is_recorded(client, personas):
    client.force_login(personas.you)
    client.post(reverse("account_logout"))
    (event,) = events(AuditAction.SIGN_OUT)
    assert (event.actor, event.actor_role) == (personas.you, Role.CASEWORKER)
    assert verify_chain().ok


def test_a_refused_access_is_recorded(personas):
    asked = uuid.uuid4()
    event = access_denied(personas.report_viewer, "people.client", str(asked))
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor, stored.actor_role) == (
        AuditAction.DENIED,
        personas.report_viewer,
        Role.REPORT_VIEWER,
    )
    assert (stored.object_type, stored.object_id, stored.break_glass) == ("people.client", str(asked), False)


def test_a_refused_access_by_nobody_and_a_long_path(db):
    from django.contrib.auth.models import AnonymousUser

    event = access_denied(AnonymousUser(), "path", "/clients/" + "x" * 100)
    assert event.actor is None and len(event.object_id) == 64


def test_the_whole_sign_in_journey_with_mfa_is_recorded(client, personas, settings):
    from keyworker.core.testing import give_totp, totp_code

    settings.KEYWORKER_REQUIRE_MFA = True
    give_totp(personas.you)
    client.post(
        reverse("account_login"),
        {"login": personas.you.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.4",
        HTTP_USER_AGENT="Firefox",
    )
    assert not events(AuditAction.SIGN_IN)  # the password alone does not sign in
    wrong = "000000" if totp_code() != "000000" else "111111"
    client.post("/accounts/2fa/authenticate/", {"code": wrong}, REMOTE_ADDR="198.51.100.4")
    (failed,) = events(AuditAction.SIGN_IN_FAILED)
    assert (failed.actor, failed.object_id, failed.detail) == (None, str(personas.you.pk), {"stage": "mfa"})
    client.post(
        "/accounts/2fa/authenticate/", {"code": totp_code()}, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox"
    )
    (signed_in,) = events(AuditAction.SIGN_IN)
    assert (signed_in.actor, signed_in.source_ip, signed_in.user_agent) == (personas.you, "198.51.100.4", "Firefox")
    assert verify_chain().ok
