"""Session and response hardening for every request (docs/decisions/0013 and 0014).

SessionSecurityMiddleware, placed after Django's authentication and messages middleware:

- ends a session that has been idle for KEYWORKER_SESSION_IDLE_SECONDS (30 minutes) or that began more
  than KEYWORKER_SESSION_ABSOLUTE_SECONDS (12 hours) ago, on the server (the session row is flushed);
- sends a signed-in user who has no authenticator app to set one up before any other page
  (KEYWORKER_REQUIRE_MFA; the allauth MFA, re-authentication and sign-out pages, /healthz and static
  files stay reachable);
- marks every response it sees `Cache-Control: no-store` (pages hold personal data; the browser's back
  button and disk cache must not keep them);
- adds `Clear-Site-Data: "cache", "cookies", "storage"` to the sign-out response. (Not to the response of a
  request whose session it ends for idleness or age: that response carries the message saying why, in a
  cookie the header would clear; the session is already gone on the server and no page was cached.)

The Content-Security-Policy itself is django-csp's (settings.CONTENT_SECURITY_POLICY), the same for every
page; the API's Swagger UI (/api/v1/docs, ninja's own static files) works under it unchanged, which the
Chromium test keyworker/e2e/test_mfa.py checks.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from keyworker.core import policy

# Session keys (unix timestamps, seconds).
SIGNED_IN_AT = "kw_signed_in_at"
LAST_SEEN_AT = "kw_last_seen_at"
# Last-seen is written at most this often, so an active user's session row is not rewritten on every click.
LAST_SEEN_RESOLUTION = 60

CLEAR_SITE_DATA = '"cache", "cookies", "storage"'


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def user_has_mfa(user: object) -> bool:
    """True when the user has an authenticator that can sign them in (an authenticator app or a passkey)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


MFA_CONFIRMED = "keyworker_mfa_confirmed"


def forget_mfa_confirmation(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """allauth's authenticator_removed: the next request checks the account again (and, with no
    authenticator left, sends the user to set one up)."""
    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_CONFIRMED, None)


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._mfa_exempt: tuple[str, ...] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        was_signed_in = _signed_in(request)
        ended = self._end_expired_session(request)
        response = self._require_mfa(request) if not ended else None
        if response is None:
            response = self.get_response(request)
            if not was_signed_in and _signed_in(request) and auth.SESSION_KEY in request.session:
                # This request signed the user in to a session (allauth's sign-in or MFA step; not an API
                # token, which authenticates one request and has no session): the clocks start now.
                request.session[SIGNED_IN_AT] = request.session[LAST_SEEN_AT] = time.time()
        if self._is_sign_out(request, response):
            response["Clear-Site-Data"] = CLEAR_SITE_DATA
        add_never_cache_headers(response)
        return response

    # --- idle timeout and absolute lifetime ------------------------------------------------------------

    def _end_expired_session(self, request: HttpRequest) -> bool:
        if not _signed_in(request):
            return False
        session = request.session
        now = time.time()
        signed_in_at = session.get(SIGNED_IN_AT)
        if signed_in_at is None:
            # A session not started by a sign-in request this middleware saw (one from before this
            # middleware, or a test's force_login): the user's last sign-in stands in for it.
            last_login = getattr(request.user, "last_login", None)
            signed_in_at = last_login.timestamp() if last_login else now
        last_seen_at = session.get(LAST_SEEN_AT, signed_in_at)
        too_old = now - signed_in_at > settings.KEYWORKER_SESSION_ABSOLUTE_SECONDS
        idle = now - last_seen_at > settings.KEYWORKER_SESSION_IDLE_SECONDS
        if too_old or idle:
            auth.logout(request)  # flushes the session on the server and makes request.user anonymous
            reason = (
                "You have been signed out: a session lasts at most 12 hours."
                if too_old
                else "You have been signed out after 30 minutes without activity."
            )
            if hasattr(request, "_messages"):
                messages.info(request, reason)
            return True
        if now - last_seen_at >= LAST_SEEN_RESOLUTION:
            session[SIGNED_IN_AT] = signed_in_at
            session[LAST_SEEN_AT] = now
        return False

    # --- MFA required -------------------------------------------------------------------------------

    def _exempt_prefixes(self) -> tuple[str, ...]:
        if self._mfa_exempt is None:
            self._mfa_exempt = (
                settings.STATIC_URL,
                reverse("healthz"),
                reverse("mfa_index"),  # /accounts/2fa/: set up the authenticator app, recovery codes
                reverse("account_reauthenticate"),
                reverse("account_logout"),
                reverse("account_login"),
            )
        return self._mfa_exempt

    def _require_mfa(self, request: HttpRequest) -> HttpResponseBase | None:
        if not settings.KEYWORKER_REQUIRE_MFA:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.path_info.startswith(self._exempt_prefixes()):
            return None
        # Looked up once a session, not on every request: the answer is kept in the session until the
        # user removes an authenticator (forget_mfa_confirmation) or the session ends.
        if request.session.get(MFA_CONFIRMED) == str(user.pk):
            return None
        if user_has_mfa(user):
            request.session[MFA_CONFIRMED] = str(user.pk)
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": "Set up an authenticator app before using Keyworker."}, status=403)
        setup = reverse("mfa_activate_totp")
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = setup
            return response
        return HttpResponseRedirect(setup)

    # --- sign-out -------------------------------------------------------------------------------------

    def _is_sign_out(self, request: HttpRequest, response: HttpResponseBase) -> bool:
        return (
            request.method == "POST"
            and request.path_info == reverse("account_logout")
            and response.status_code in (200, 302, 303)
            and not request.user.is_authenticated
        )


class PolicyMemoMiddleware:
    """Each request builds the access policy's querysets once (policy.request_memo): a page's queries each
    hold the policy, and rebuilding it for every one was a fifth of a busy page's time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with policy.request_memo():
            return self.get_response(request)

