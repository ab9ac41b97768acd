from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from keyworker.audit.context import Source, reset_source, set_source


class AuditSourceMiddleware:
    """Records the request's address and browser for the audit events it causes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = set_source(
            Source(
                ip=request.META.get("REMOTE_ADDR") or None,
                user_agent=request.META.get("HTTP_USER_AGENT", "")[:200],
            )
        )
        try:
            return self.get_response(request)
        finally:
            reset_source(token)
