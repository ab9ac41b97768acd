"""Reads for reports and search from a streaming replica; everything else from the primary
(docs/decisions/0032-read-replica.md).

Nothing goes to the replica by guessing from the model. A read goes there only when all of these hold:

- a replica is configured (settings.DATABASES has "replica", from KEYWORKER_REPLICA_URL);
- the code is inside `replica_reads()`: the explicit marker for "this is a report or a search". The
  ReplicaMiddleware sets it for the GET requests of the views named in REPLICA_VIEWS; background jobs and other
  code wrap their report reads in `with replica_reads():`;
- the user is not pinned to the primary: for STICKY_SECONDS after any write request (any method but GET, HEAD,
  OPTIONS, TRACE) or an explicit `stick_to_primary(request)`, the middleware keeps that browser's reads on the
  primary (read-your-own-writes), by a signed cookie (stateless: any app server can check it, no database
  write on each request, and it costs nothing when no replica is configured);
- the primary is not inside a transaction (a transaction must see its own uncommitted writes and the rows it
  locked).

Writes always go to the primary. Without KEYWORKER_REPLICA_URL the router answers "default" to everything and
the middleware is not installed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import connections
from django.http import HttpRequest, HttpResponseBase

PRIMARY = "default"
REPLICA = "replica"

# Views whose GET requests read from the replica: reports and search (view names as `resolve()` gives them).
REPLICA_VIEWS = frozenset(
    {
        "people:search",
        "funding:capacity",
        "funding:capacity_csv",
        "funding:capacity_xlsx",
        "api:search_clients",
        "api:search_notes",
        "api:get_capacity",
    }
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

STICKY_COOKIE = "kw_primary"
_SIGNING_SALT = "keyworker.core.db_router.sticky"

_replica_wanted: ContextVar[bool] = ContextVar("kw_replica_wanted", default=False)
_pinned: ContextVar[bool] = ContextVar("kw_pinned_to_primary", default=False)


def sticky_seconds() -> int:
    """How long a writer's reads stay on the primary: longer than the replica's usual lag (well under a second
    on a healthy pair) with a wide margin."""
    return int(getattr(settings, "KEYWORKER_REPLICA_STICKY_SECONDS", 15))


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads inside may be served by the replica (when one is configured and the caller is not pinned)."""
    token = _replica_wanted.set(True)
    try:
        yield
    finally:
        _replica_wanted.reset(token)


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside come from the primary, even inside replica_reads() (read-your-own-writes, explicitly)."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def stick_to_primary(request: HttpRequest) -> None:
    """Keep this browser's reads on the primary for sticky_seconds(), from this request on (for a GET that
    wrote something the user will look at next)."""
    request.kw_wrote = True  # type: ignore[attr-defined]
    _pinned.set(True)


class ReplicaRouter:
    """The database router (settings.DATABASE_ROUTERS). Aliases are parameters so the replica test can point
    the same router at its own pair of servers."""

    def __init__(self, primary: str = PRIMARY, replica: str = REPLICA) -> None:
        self.primary = primary
        self.replica = replica

    def replica_in_use(self) -> bool:
        return self.replica in connections.settings

    def db_for_read(self, model: type, **hints: Any) -> str:
        if (
            _replica_wanted.get()
            and not _pinned.get()
            and self.replica_in_use()
            and not connections[self.primary].in_atomic_block
        ):
            return self.replica
        return self.primary

    def db_for_write(self, model: type, **hints: Any) -> str:
        return self.primary

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both hold the same rows: an object read from the replica may be linked to one from the primary.
        dbs = {self.primary, self.replica}
        if obj1._state.db in dbs and obj2._state.db in dbs:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        # The replica is read-only and gets its schema by replication.
        if db == self.replica:
            return False
        return None


def _pinned_by_cookie(request: HttpRequest) -> bool:
    value = request.COOKIES.get(STICKY_COOKIE)
    if not value:
        return False
    try:
        signing.TimestampSigner(salt=_SIGNING_SALT).unsign(value, max_age=sticky_seconds())
    except signing.BadSignature:  # also SignatureExpired: the window has passed
        return False
    return True


class ReplicaMiddleware:
    """Marks report and search GETs as replica reads, and keeps a writer's reads on the primary for a while.
    Installed only when a replica is configured (settings.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        wanted = _replica_wanted.set(False)
        pinned = _pinned.set(request.method not in SAFE_METHODS or _pinned_by_cookie(request))
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(pinned)
            _replica_wanted.reset(wanted)
        if request.method not in SAFE_METHODS or getattr(request, "kw_wrote", False):
            value = signing.TimestampSigner(salt=_SIGNING_SALT).sign(str(int(time.time())))
            response.set_cookie(
                STICKY_COOKIE,
                value,
                max_age=sticky_seconds(),
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if request.method in SAFE_METHODS and match is not None and match.view_name in REPLICA_VIEWS:
            _replica_wanted.set(True)
