"""Render a whole page, or only one of its blocks when htmx asks for a fragment."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from jinja2_fragments import render_block


def render_page(
    request: HttpRequest, template_name: str, context: dict[str, Any], *, block: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page, or just `block` of it for an htmx request (same template, so the two never drift)."""
    if block and getattr(request, "htmx", False):
        from django.middleware.csrf import get_token

        env = engines["jinja2"].env  # type: ignore[attr-defined]
        html = render_block(
            env, template_name, block, request=request, csrf_token=get_token(request),
            csrf_input=_csrf_input(request), **context,
        )
        return HttpResponse(html, status=status)
    from django.shortcuts import render

    return render(request, template_name, context, status=status, using="jinja2")


def _csrf_input(request: HttpRequest) -> Any:
    from django.template.backends.utils import csrf_input_lazy

    return csrf_input_lazy(request)
