from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from django.http import HttpRequest


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are made by administrators; nobody signs themselves up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        # "Successfully signed in" pushes My week down a phone screen; signing in is its own confirmation.
        if message_template and message_template.endswith("logged_in.txt"):
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Changing MFA or the e-mail address asks for the password (or a code) again, except in one case:
        setting up the first authenticator straight after signing in with the password, which is what the
        MFA-required check sends a new worker to do (docs/decisions/0013)."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa":
            request = getattr(context, "request", None)
            if request is not None and _first_mfa_setup_right_after_password(request):
                return False
        return required


def _first_mfa_setup_right_after_password(request: HttpRequest) -> bool:
    """True while the user is setting up their first authenticator (and seeing its recovery codes) within
    ACCOUNT_REAUTHENTICATION_TIMEOUT of typing their password into the sign-in page of this session."""
    from allauth.account.internal.flows.login import get_authentication_records
    from allauth.mfa.models import Authenticator

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    passwords = [r for r in get_authentication_records(request, user) if r.get("method") == "password"]
    if not passwords:
        return False
    signed_in_at = float(passwords[-1]["at"])
    if time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT:
        return False
    # Any authenticator that predates this sign-in means this is a change, not the first set-up.
    authenticators = Authenticator.objects.filter(user=user).values_list("created_at", flat=True)
    return all(created.timestamp() >= signed_in_at for created in authenticators)
