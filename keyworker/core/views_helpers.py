"""Decorators shared by every app's HTML views."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse

from keyworker.audit.services import access_denied
from keyworker.core import policy
from keyworker.core.errors import NotFound


def staff_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in staff only; a record outside the user's reach becomes a plain 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except (NotFound, Http404) as exc:
            # Every refusal is on the record (the path holds ids only, never search words).
            access_denied(request.user, "path", request.path)
            raise Http404() from exc

    return wrapper


def casework_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Pages that exist only for roles doing casework; for anyone else they do not exist."""

    @staff_view
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not policy.can_use_casework(request.user):  # type: ignore[arg-type]
            raise Http404()
        return view(request, *args, **kwargs)

    return wrapper
