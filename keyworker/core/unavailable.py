"""The database cannot be reached: answer 503 with an honest page (or JSON for the API), not a 500.

docs/decisions/0035-faults.md. The middleware sits just inside SecurityMiddleware and WhiteNoise, outside
everything that reads the database (sessions, sign-in, MFA checks, audit). It catches a connectivity error
however deep it was raised: from the view (process_exception), and from any middleware inside it (Django
turns those into a 500 response before they reach us, so the got_request_exception signal marks the request
and the 500 is replaced). The 503 is rendered from a self-contained template with no request, no session, no
navigation and no audit: nothing in it touches the database.

Only connectivity counts. An IntegrityError, a missing table or a bad query is a bug and stays a 500.
"""

from __future__ import annotations

import secrets
import sqlite3
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import engines

__all__ = [
    "API_MESSAGE",
    "RETRY_AFTER_SECONDS",
    "DatabaseUnavailableMiddleware",
    "database_unavailable_response",
    "is_database_unavailable",
]

RETRY_AFTER_SECONDS = 60
API_MESSAGE = (
    "Keyworker cannot reach its database. Nothing saved before this was lost. This request was NOT saved: "
    "try again in a few minutes."
)
# PostgreSQL SQLSTATEs that mean "the server is not there for you now", not "your query is wrong":
# class 08 (connection exception) is matched by prefix; 57P01-03 admin/crash shutdown and starting up;
# 53300 too many connections.
_PG_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}
# SQLite's own words when the file cannot be used (permissions, disk, another writer holding it too long).
_SQLITE_UNAVAILABLE = ("unable to open database file", "disk i/o error", "database is locked", "readonly database")
_MARK = "_keyworker_database_unavailable"


def is_database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` (or what caused it) means the database cannot be reached or used right now."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if _is_connectivity(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_connectivity(exc: BaseException) -> bool:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency; SQLite-only installs still work
        psycopg = None  # type: ignore[assignment]
    if psycopg is not None and isinstance(exc, psycopg.Error):
        if isinstance(exc, psycopg.InterfaceError):
            return True  # the connection is closed or broken
        if isinstance(exc, psycopg.OperationalError):
            state = getattr(exc, "sqlstate", None)
            # No SQLSTATE: raised by the client itself (connection refused, server closed the connection).
            return state is None or state.startswith("08") or state in _PG_UNAVAILABLE
        return False
    if isinstance(exc, sqlite3.OperationalError):
        return any(words in str(exc).lower() for words in _SQLITE_UNAVAILABLE)
    if isinstance(exc, InterfaceError):
        return True  # Django's wrapper: "connection already closed"
    if isinstance(exc, OperationalError) and exc.__cause__ is None and exc.__context__ is None:
        # Django wraps the driver's error (raise ... from); a bare one is judged by SQLite's words alone.
        return any(words in str(exc).lower() for words in _SQLITE_UNAVAILABLE)
    return False


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 itself. Reads nothing from the request but its path and never the database."""
    response: HttpResponse
    if _wants_json(request):
        body: dict[str, Any] = {"detail": API_MESSAGE}
        if request.path == "/healthz":
            body = {"status": "error", "database": "unavailable", "detail": API_MESSAGE}
        response = JsonResponse(body, status=503)
    else:
        nonce = secrets.token_urlsafe(16)
        html = engines["jinja2"].get_template("core/503.html").render({"cspNonce": nonce})
        response = HttpResponse(html, status=503, content_type="text/html; charset=utf-8")
        # Our own policy: CSPMiddleware sits inside us and may not have run. The nonce is for GOV.UK's
        # one inline script ("js-enabled").
        response["Content-Security-Policy"] = (
            f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
            "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
        )
        response["X-Frame-Options"] = "DENY"
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_request(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    # Sent by Django while it handles an uncaught exception, inside the `except` block: sys.exc_info() is it.
    if request is not None and is_database_unavailable(sys.exc_info()[1]):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="keyworker.core.unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except Exception as exc:  # only reached when nothing inside converted it (e.g. in tests' raise mode)
            if is_database_unavailable(exc):
                return database_unavailable_response(request)
            raise
        if getattr(request, _MARK, False) and response.status_code >= 500:
            return database_unavailable_response(request)
        if request.path == "/healthz" and response.status_code == 503 and "Retry-After" not in response:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view raised: answer the 503 straight away (no 500 logged for an outage)."""
        if is_database_unavailable(exception):
            return database_unavailable_response(request)
        return None
