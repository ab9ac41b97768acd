"""The API token pages: list my tokens, create one (shown once), revoke one. Only the owner sees theirs."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import ApiToken
from keyworker.accounts.services import token_create, token_revoke
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import NotFound, ValidationFailed

TOKEN_RE = re.compile(r"kw_[A-Za-z0-9_-]{43}")
LIST = reverse("accounts:token_list")
NEW = reverse("accounts:token_new")


def _revoke_url(token: ApiToken) -> str:
    return reverse("accounts:token_revoke", args=[token.pk])


def _create(client, **data):
    body = {"name": "Referrals sync", "scopes": ["read"], "expires_in_days": "90"} | data
    return client.post(NEW, body)


def _token_events():
    return AuditEvent.objects.filter(object_type="accounts.apitoken")


def test_pages_need_sign_in(client, personas):
    token, _ = token_create(actor=personas.you, name="Mine", can_read=True, can_write=False)
    for response in (client.get(LIST), client.get(NEW), client.post(_revoke_url(token))):
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_form_offers_sensible_defaults(client, personas):
    client.force_login(personas.you)
    response = client.get(NEW)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Create an API token" in page
    assert 'value="90"' in page
    assert re.search(r'value="read"\s+checked', page)


@pytest.mark.parametrize("who", ["you", "manager", "report_viewer"])
def test_create_shows_the_token_once(client, personas, who):
    user = getattr(personas, who)
    client.force_login(user)
    response = _create(client, scopes=["read", "write"], expires_in_days="30")
    assert response.status_code == 200, response.content
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "shown only once" in page
    (plain,) = set(TOKEN_RE.findall(page))

    token = ApiToken.objects.get(owner=user)
    assert token.name == "Referrals sync"
    assert token.can_read and token.can_write
    assert plain.startswith(token.prefix)
    assert token.token_hash != plain and plain not in token.token_hash
    expected = timezone.now() + dt.timedelta(days=30)
    assert abs(token.expires_at - expected) < dt.timedelta(minutes=1)

    event = _token_events().get()
    assert event.action == AuditAction.CREATE
    assert event.actor == user
    assert plain not in repr(event.detail)

    # Never again: not in the list, not on the form, not anywhere the owner goes next.
    for url in (LIST, NEW):
        later = client.get(url).content.decode()
        assert plain not in later
        assert not TOKEN_RE.search(later)
    assert token.prefix in client.get(LIST).content.decode()


def test_the_default_expiry_is_90_days(personas):
    token, _ = token_create(actor=personas.you, name="Default", can_read=True, can_write=False)
    expected = timezone.now() + dt.timedelta(days=90)
    assert abs(token.expires_at - expected) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the token"),
        ({"name": "   "}, "name", "Enter a name for the token"),
        ({"name": "x" * 101}, "name", "100 characters or fewer"),
        ({"expires_in_days": "0"}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"expires_in_days": "1000"}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"expires_in_days": "366"}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"expires_in_days": "-5"}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"expires_in_days": "soon"}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"expires_in_days": ""}, "expires_in_days", "Enter a number of days from 1 to 365."),
        ({"scopes": []}, "scopes", "Choose what the token may do"),
        ({"scopes": ["admin"]}, "scopes", "Choose read, write or both."),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(client, personas, data, field, message):
    client.force_login(personas.you)
    response = _create(client, **data)
    assert response.status_code == 422
    page = html.unescape(response.content.decode())
    assert "There is a problem" in page
    assert message in page
    assert f'href="#id_{field}"' in page
    assert not TOKEN_RE.search(page)
    assert not ApiToken.objects.exists()
    assert not _token_events().exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"can_read": False, "can_write": False}, "scopes"),
        ({"expires_in_days": 0}, "expires_in_days"),
        ({"expires_in_days": 366}, "expires_in_days"),
    ],
)
def test_the_service_refuses_bad_input_too(personas, kwargs, field):
    with pytest.raises(ValidationFailed) as refused:
        token_create(actor=personas.you, **({"name": "n", "can_read": True, "can_write": False} | kwargs))
    assert field in refused.value.field_errors
    assert not ApiToken.objects.exists()
    assert not _token_events().exists()


def test_the_list_shows_only_my_tokens(client, personas):
    mine, _ = token_create(actor=personas.you, name="My sync", can_read=True, can_write=False)
    theirs, _ = token_create(actor=personas.teammate, name="Their sync", can_read=True, can_write=True)
    ApiToken.objects.filter(pk=mine.pk).update(last_used_at=timezone.now())
    client.force_login(personas.you)
    page = client.get(LIST).content.decode()
    assert "My sync" in page and mine.prefix in page
    assert "Their sync" not in page and theirs.prefix not in page
    assert "Never" not in page  # mine has been used
    assert _revoke_url(mine) in page
    assert "no-store" in client.get(LIST)["Cache-Control"]


def test_revoking_my_token(client, personas):
    token, _ = token_create(actor=personas.you, name="My sync", can_read=True, can_write=False)
    client.force_login(personas.you)
    response = client.post(_revoke_url(token), follow=True)
    assert response.status_code == 200
    assert "Revoked “My sync”" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = _token_events().get(action=AuditAction.UPDATE)
    assert event.actor == personas.you
    assert event.detail["what"] == "api_token_revoked"
    assert "Revoked" in client.get(LIST).content.decode()
    assert _revoke_url(token) not in client.get(LIST).content.decode()

    # Again: a clear message, no second event, the first revocation time kept.
    revoked_at = token.revoked_at
    again = client.post(_revoke_url(token), follow=True)
    assert "already been revoked" in again.content.decode()
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert _token_events().filter(action=AuditAction.UPDATE).count() == 1


@pytest.mark.parametrize("who", ["teammate", "manager", "other_caseworker", "report_viewer"])
def test_nobody_else_can_revoke_my_token(client, personas, who):
    token, _ = token_create(actor=personas.you, name="My sync", can_read=True, can_write=False)
    client.force_login(getattr(personas, who))
    assert client.post(_revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not _token_events().filter(action=AuditAction.UPDATE).exists()
    with pytest.raises(NotFound):
        token_revoke(actor=getattr(personas, who), token=token)


def test_revoke_is_a_post(client, personas):
    token, _ = token_create(actor=personas.you, name="My sync", can_read=True, can_write=False)
    client.force_login(personas.you)
    assert client.get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_an_unknown_token_is_not_found(client, personas):
    client.force_login(personas.you)
    unknown = reverse("accounts:token_revoke", args=["00000000-0000-0000-0000-000000000000"])
    assert client.post(unknown).status_code == 404
