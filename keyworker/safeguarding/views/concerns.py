"""Safeguarding concerns pages (being written: the concerns part of issue 7)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from keyworker.core.views_helpers import casework_view


@casework_view
def concern_new(request: HttpRequest, client_id: str) -> HttpResponse:
    raise Http404()
