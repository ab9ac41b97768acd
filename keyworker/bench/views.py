"""The framework's floor: a view that does nothing, on the same stack (gunicorn, every middleware, the
session). The bench compares each page with it. Only routed when KEYWORKER_BENCH=1."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, path


def floor(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "KEYWORKER_BENCH", False):  # belt and braces: the URL is not routed either
        raise Http404()
    return HttpResponse("floor\n", content_type="text/plain")


def bench_patterns() -> list[URLPattern]:
    """The bench's URLs: none unless KEYWORKER_BENCH is on."""
    if not getattr(settings, "KEYWORKER_BENCH", False):
        return []
    return [path("bench/floor", floor, name="bench_floor")]
