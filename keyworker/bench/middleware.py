"""`Server-Timing` on every response while KEYWORKER_BENCH=1: total server time, SQL time and SQL query count
of the request, measured inside the server process, so the bench reports the server's own time and not the
client's wall time (which includes the network and the client). Off (not even installed) otherwise:
production never counts queries or tells a browser how long its SQL took."""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import HttpRequest
from django.http.response import HttpResponseBase

_TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class _SqlClock:
    def __init__(self) -> None:
        self.queries = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            # BEGIN/COMMIT and savepoints are timed but not counted: SQLite's BEGIN IMMEDIATE goes through the
            # cursor (PostgreSQL's do not), and the budget is of questions asked, the same on both databases
            if not sql.lstrip()[:9].upper().startswith(_TRANSACTION_CONTROL):
                self.queries += 1


class ServerTimingMiddleware:
    """First in MIDDLEWARE, so "total" covers every other middleware (session, user, MFA check) too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        if not getattr(settings, "KEYWORKER_BENCH", False):
            raise MiddlewareNotUsed("KEYWORKER_BENCH is off")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        clock = _SqlClock()
        started = time.perf_counter()
        with ExitStack() as stack:
            for alias in connections:  # the replica too, when there is one
                stack.enter_context(connections[alias].execute_wrapper(clock))
            response = self.get_response(request)
        total = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = (
            f'total;dur={total:.3f}, sql;dur={clock.seconds * 1000:.3f}, queries;desc="{clock.queries}"'
        )
        return response
