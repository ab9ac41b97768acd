"""Pages for a member of staff's own account: their personal API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from keyworker.accounts import services
from keyworker.accounts.forms import ApiTokenForm
from keyworker.accounts.models import ApiScope, User
from keyworker.accounts.selectors import token_get_for, token_list_for
from keyworker.core.errors import ValidationFailed
from keyworker.core.forms import show_service_errors
from keyworker.core.htmx import render_page
from keyworker.core.views_helpers import staff_view


@staff_view
def token_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    response = render_page(
        request, "accounts/token_list.html", {"tokens": list(token_list_for(user)), "now": timezone.now()}
    )
    add_never_cache_headers(response)
    return response


@staff_view
def token_new(request: HttpRequest) -> HttpResponse:
    """Make a token. The page answering the form is the only place the token is ever shown: it is not
    stored, and not put in the session or a redirect, so no later page can show it again."""
    user: User = request.user  # type: ignore[assignment]
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        scopes = set(form.cleaned_data["scopes"])
        try:
            token, plain = services.token_create(
                actor=user,
                name=form.cleaned_data["name"],
                can_read=ApiScope.READ in scopes,
                can_write=ApiScope.WRITE in scopes,
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationFailed as exc:
            show_service_errors(form, exc)
        else:
            response = render_page(request, "accounts/token_created.html", {"token": token, "plain": plain})
            add_never_cache_headers(response)
            return response
    response = render_page(
        request, "accounts/token_new.html", {"form": form}, status=422 if request.method == "POST" else 200
    )
    add_never_cache_headers(response)
    return response


@staff_view
@require_POST
def token_revoke(request: HttpRequest, token_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    token = token_get_for(user, token_id)
    try:
        services.token_revoke(actor=user, token=token)
    except ValidationFailed as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked “{token.name}”. It no longer works.")
    return redirect("accounts:token_list")
