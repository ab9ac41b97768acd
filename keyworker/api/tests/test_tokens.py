"""Personal API tokens on the API: a token acts as its owner, under the same policy and audit, and no more."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.accounts.models import ApiToken
from keyworker.accounts.services import token_create, token_revoke
from keyworker.api.auth import INVALID_TOKEN_MESSAGE, NEEDS_READ_MESSAGE, NEEDS_WRITE_MESSAGE
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact

API = "/api/v1"
PERSONAS = ["you", "teammate", "other_caseworker", "manager", "report_viewer"]


def make_token(user, *, read=True, write=False, days=90):
    token, plain = token_create(actor=user, name="Integration", can_read=read, can_write=write, expires_in_days=days)
    return token, plain


def bearer(plain: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.fixture
def api_client() -> HttpClient:
    """A client with no cookies at all, enforcing CSRF like a real browser would."""
    return HttpClient(enforce_csrf_checks=True)


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize("who", PERSONAS)
@pytest.mark.parametrize("url", ["/clients", "/cases", "/tasks"])
def test_a_token_sees_exactly_what_its_owner_sees(client, api_client, world, personas, who, url):
    user = getattr(personas, who)
    client.force_login(user)
    by_session = _ids(client.get(API + url))
    _, plain = make_token(user)
    by_token = _ids(api_client.get(API + url, **bearer(plain)))
    assert by_token == by_session


def test_a_token_sees_its_owners_clients_and_not_others(api_client, world, personas):
    _, plain = make_token(personas.you)
    assert _ids(api_client.get(f"{API}/clients", **bearer(plain))) == {str(world.mine.pk), str(world.teammates.pk)}
    assert api_client.get(f"{API}/clients/{world.mine.pk}", **bearer(plain)).status_code == 200
    refused = api_client.get(f"{API}/clients/{world.theirs.pk}", **bearer(plain))
    assert refused.status_code == 404
    assert refused.json() == {"detail": "Not found."}
    assert "Oz" not in refused.content.decode()
    assert AuditEvent.objects.get(action=AuditAction.DENIED).actor == personas.you


def test_a_token_of_a_role_without_casework_reaches_nothing_more(api_client, world, personas):
    _, plain = make_token(personas.report_viewer, write=True)
    assert _ids(api_client.get(f"{API}/clients", **bearer(plain))) == set()
    assert api_client.get(f"{API}/clients/{world.mine.pk}", **bearer(plain)).status_code == 404
    before = Contact.objects.count()
    response = api_client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang."},
        content_type="application/json", **bearer(plain),
    )
    assert response.status_code == 404
    assert Contact.objects.count() == before


def _assert_refused(response, reason: str = "unknown", token: ApiToken | None = None) -> None:
    assert response.status_code == 401, response.content
    assert response.json() == {"detail": INVALID_TOKEN_MESSAGE}
    assert response["WWW-Authenticate"].startswith("Bearer")
    # Recorded as a failed sign-in: no actor, the token's id if it is ours, why; never what was presented.
    event = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).latest("sequence")
    assert event.actor is None
    assert event.object_type == "accounts.apitoken"
    assert event.object_id == (str(token.pk) if token else "")
    assert event.detail == {"stage": "api_token", "reason": reason}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_revoked_token_is_refused(api_client, world, personas):
    token, plain = make_token(personas.you)
    assert api_client.get(f"{API}/clients/{world.mine.pk}", **bearer(plain)).status_code == 200
    token_revoke(actor=personas.you, token=token)
    AuditEvent.objects.filter(action=AuditAction.VIEW).get()  # the one read while it worked
    response = api_client.get(f"{API}/clients/{world.mine.pk}", **bearer(plain))
    assert response.status_code == 401
    assert response.json() == {"detail": INVALID_TOKEN_MESSAGE}
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == 1
    event = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (event.actor, event.object_id) == (None, str(token.pk))
    assert event.detail == {"stage": "api_token", "reason": "revoked"}


def test_an_expired_token_is_refused(api_client, world, personas):
    token, plain = make_token(personas.you)
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=now - dt.timedelta(days=90), expires_at=now - dt.timedelta(seconds=1)
    )
    _assert_refused(api_client.get(f"{API}/clients", **bearer(plain)), "expired", token)


def test_a_token_of_a_disabled_account_is_refused(api_client, world, personas):
    token, plain = make_token(personas.you)
    personas.you.is_active = False
    personas.you.save()
    _assert_refused(api_client.get(f"{API}/clients", **bearer(plain)), "owner_disabled", token)


@pytest.mark.parametrize(
    "header", ["Bearer kw_" + "x" * 43, "Bearer not-ours", "Bearer ", "bearer kw_", "Bearer " + "kw_" * 200]
)
def test_unknown_tokens_are_refused(api_client, world, header):
    _assert_refused(api_client.get(f"{API}/clients", HTTP_AUTHORIZATION=header))


def test_a_bad_token_is_refused_even_with_a_session(client, world, personas):
    """A bearer token that does not work is never quietly replaced by the session beside it."""
    client.force_login(personas.you)
    _assert_refused(client.get(f"{API}/clients", **bearer("kw_" + "x" * 43)))


def test_a_token_hash_of_another_token_does_not_work(api_client, world, personas):
    token, _ = make_token(personas.you)
    _assert_refused(api_client.get(f"{API}/clients", **bearer(token.token_hash)))


def test_no_credentials_at_all_is_refused(api_client, world):
    response = api_client.get(f"{API}/clients")
    assert response.status_code == 401


def test_a_read_only_token_cannot_write(api_client, world, personas):
    _, plain = make_token(personas.you, read=True, write=False)
    before = Contact.objects.count()
    response = api_client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang."},
        content_type="application/json", **bearer(plain),
    )
    assert response.status_code == 403
    assert response.json() == {"detail": NEEDS_WRITE_MESSAGE}
    assert Contact.objects.count() == before
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="casework.contact").exists()
    # The refusal is audited as the token owner's.
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.actor == personas.you


def test_a_write_only_token_cannot_read(api_client, world, personas):
    _, plain = make_token(personas.you, read=False, write=True)
    response = api_client.get(f"{API}/clients", **bearer(plain))
    assert response.status_code == 403
    assert response.json() == {"detail": NEEDS_READ_MESSAGE}
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_a_write_token_writes_without_csrf_and_is_audited_as_its_owner(api_client, world, personas):
    _, plain = make_token(personas.you, write=True)
    response = api_client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang him."},
        content_type="application/json", HTTP_USER_AGENT="referrals-sync/1.0", **bearer(plain),
    )
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.recorded_by == personas.you
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(contact.pk))
    assert event.actor == personas.you
    assert event.client_id == world.mine.pk
    assert event.user_agent == "referrals-sync/1.0"
    assert "csrftoken" not in api_client.cookies
    assert "sessionid" not in response.cookies


def test_a_write_token_cannot_write_to_another_teams_client(api_client, world, personas):
    _, plain = make_token(personas.you, write=True)
    before = Contact.objects.count()
    response = api_client.post(
        f"{API}/clients/{world.theirs.pk}/contacts", {"kind": "phone", "note": "Rang."},
        content_type="application/json", **bearer(plain),
    )
    assert response.status_code == 404
    assert Contact.objects.count() == before


def test_token_reads_are_audited_like_session_reads(api_client, world, personas):
    _, plain = make_token(personas.you)
    assert api_client.get(f"{API}/clients/{world.mine.pk}", HTTP_USER_AGENT="sync", **bearer(plain)).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == personas.you
    assert event.client_id == world.mine.pk
    assert event.detail == {"what": "api:client"}
    assert event.user_agent == "sync"
    # Lists: one view per client shown, as for a session.
    api_client.get(f"{API}/clients", **bearer(plain))
    listed = AuditEvent.objects.filter(action=AuditAction.VIEW, detail__what="api:client_list")
    assert {e.client_id for e in listed} == {world.mine.pk, world.teammates.pk}
    assert {e.actor_id for e in listed} == {personas.you.pk}


def test_refused_token_reads_are_not_views(api_client, world, personas):
    _, plain = make_token(personas.you)
    assert api_client.get(f"{API}/clients/{world.theirs.pk}", **bearer(plain)).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=world.theirs.pk).exists()


def test_use_is_recorded_at_most_once_a_minute(api_client, world, personas):
    token, plain = make_token(personas.you)
    assert token.last_used_at is None
    api_client.get(f"{API}/clients", **bearer(plain))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None

    # Again within the minute: no write.
    api_client.get(f"{API}/clients", **bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at == first

    # A minute later: written again.
    earlier = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    api_client.get(f"{API}/clients", **bearer(plain))
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_only_the_hash_of_a_token_is_stored(api_client, world, personas):
    token, plain = make_token(personas.you, write=True)
    api_client.get(f"{API}/clients", **bearer(plain))
    token.refresh_from_db()
    assert token.token_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert plain.startswith(token.prefix)
    assert len(plain) > len(token.prefix) + 30
    secret_part = plain[len(token.prefix):]
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            text = repr(row)
            assert plain not in text, model
            assert secret_part not in text, model


def test_the_database_refuses_a_token_born_expired(personas):
    token, _ = make_token(personas.you)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)


def test_openapi_documents_both_ways_in(client, db):
    spec = client.get(f"{API}/openapi.json").json()
    schemes = list(spec["components"]["securitySchemes"].values())
    assert {"type": "http", "scheme": "bearer"}.items() <= next(s for s in schemes if s["type"] == "http").items()
    assert any(s.get("in") == "cookie" for s in schemes)
    operation = spec["paths"]["/api/v1/clients"]["get"]
    assert len(operation["security"]) == 2
    assert "Bearer" in spec["info"]["description"]


def test_a_token_request_makes_no_session(api_client, world, personas):
    _, plain = make_token(personas.you, write=True)
    before = Session.objects.count()
    read = api_client.get(f"{API}/clients", **bearer(plain))
    written = api_client.post(
        f"{API}/clients/{world.mine.pk}/contacts", {"kind": "phone", "note": "Rang."},
        content_type="application/json", **bearer(plain),
    )
    assert (read.status_code, written.status_code) == (200, 201)
    for response in (read, written):
        assert not response.cookies
    assert Session.objects.count() == before


def test_a_token_beside_a_browser_session_leaves_the_session_alone(client, world, personas):
    client.force_login(personas.teammate)
    session = Session.objects.get()
    _, plain = make_token(personas.you)
    response = client.get(f"{API}/clients/{world.mine.pk}", **bearer(plain))
    assert response.status_code == 200
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # neither set nor deleted
    assert Session.objects.get().session_data == session.session_data
    # The request was the token owner's, and the browser is still signed in as its own user.
    assert AuditEvent.objects.get(action=AuditAction.VIEW).actor == personas.you
    assert client.get(f"{API}/clients").status_code == 200
