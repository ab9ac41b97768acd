"""Personal API tokens: `Authorization: Bearer kw_…`, alongside signing in with a session.

A token acts as its owner and nothing more: the request runs as the owner (`request.user`), so every
selector applies the same access policy and every read is audited as the owner's, exactly as for a
session. A token request carries no cookie, so it needs no CSRF token; session requests still do.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from keyworker.accounts.models import ApiToken
from keyworker.accounts.selectors import token_for_bearer
from keyworker.accounts.services import token_mark_used, token_refusal_reason, token_refused, token_use_is_due
from keyworker.core.errors import NotAllowed

logger = logging.getLogger("keyworker.security")

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

INVALID_TOKEN_MESSAGE = "This API token is not valid: it is unknown, expired or revoked."  # noqa: S105
NEEDS_WRITE_MESSAGE = (
    "This API token is read-only: it cannot make changes. Create a token with the write scope to do this."
)
NEEDS_READ_MESSAGE = "This API token is write-only: it cannot read. Create a token with the read scope to do this."


class NoSession(SessionBase):
    """The session of a token request: there is none. Whatever is written to it (a middleware noting a
    sign-in time, say) is dropped: it is never marked modified, so it is never saved, no session row is
    created and no cookie is set. Nor is it ever empty, so a session cookie the client happened to send
    (a signed-in browser trying a token) is left alone rather than deleted."""

    @property
    def modified(self) -> bool:
        return False

    @modified.setter
    def modified(self, value: bool) -> None:
        pass

    def is_empty(self) -> bool:
        return False

    def exists(self, session_key: str) -> bool:
        return False

    def create(self) -> None:
        return None

    def save(self, must_create: bool = False) -> None:
        return None

    def delete(self, session_key: str | None = None) -> None:
        return None

    def load(self) -> dict[str, Any]:
        return {}


class InvalidToken(AuthenticationError):
    """A bearer token was presented and is not one that works (unknown, expired, revoked, owner disabled)."""


class ApiTokenAuth(HttpBearer):
    """Bearer token authentication for django-ninja. Answers None when the request has no bearer token,
    so the next method (the session) is tried; a bearer token that does not work is refused outright
    (401), never passed on to the session."""

    openapi_bearerFormat = "kw_…"
    openapi_description = (
        "A personal API token, created by a signed-in user at /staff/tokens/. It acts as its owner with the "
        "owner's access and no more. Scopes: read (GET) and write (POST). No CSRF token is needed."
    )

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get(self.header, "")
        scheme, _, credentials = header.strip().partition(" ")
        if scheme.lower() != self.openapi_scheme:
            return None  # no token (or another scheme): let the session have a go
        return self.authenticate(request, credentials.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        now = timezone.now()
        api_token = token_for_bearer(token) if token else None
        refused = token_refusal_reason(api_token, now)
        if api_token is None or refused is not None:
            # Never the presented value itself: it may be a real token, mistyped.
            logger.warning(
                "API token refused (%s): %s from %s",
                refused, api_token.pk if api_token else "-", request.META.get("REMOTE_ADDR"),
            )
            token_refused(token=api_token, reason=refused or "unknown")
            raise InvalidToken()
        if token_use_is_due(api_token, now):
            token_mark_used(token=api_token, at=now)
        # The request is the owner's from here on: selectors, services and audit events (a refusal's
        # too) all see them. It is not a signed-in session, and must not turn into one.
        request.user = api_token.owner
        request.session = NoSession()
        method = (request.method or "GET").upper()
        if method in READ_METHODS and not api_token.can_read:
            raise NotAllowed(NEEDS_READ_MESSAGE)
        if method not in READ_METHODS and not api_token.can_write:
            raise NotAllowed(NEEDS_WRITE_MESSAGE)
        return api_token
