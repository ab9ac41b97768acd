"""Signing in and out leaves audit events (Django's auth signals; allauth signs in through them too), and so
does a wrong MFA code (allauth.mfa's own signal)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from keyworker.audit import services


@receiver(user_logged_in, dispatch_uid="keyworker.audit.signed_in")
def _signed_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        services.sign_in_recorded(user=user)


@receiver(user_logged_out, dispatch_uid="keyworker.audit.signed_out")
def _signed_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    services.sign_out_recorded(user=user)


@receiver(user_login_failed, dispatch_uid="keyworker.audit.sign_in_failed")
def _sign_in_failed(sender: Any, credentials: dict[str, Any] | None = None, request: Any = None, **kwargs: Any) -> None:
    # Django has already masked the password in `credentials`; only the login is read, and only hashed.
    credentials = credentials or {}
    login = next((str(credentials[k]) for k in ("email", "username", "login") if credentials.get(k)), "")
    services.sign_in_failed_recorded(login=login)


def _mfa_failed(
    sender: Any, request: Any = None, user: Any = None, reauthentication: bool = False, **kwargs: Any
) -> None:
    services.sign_in_failed_recorded(user=user, stage="reauthentication" if reauthentication else "mfa")


def connect_mfa() -> None:
    if apps.is_installed("allauth.mfa"):
        from allauth.mfa.signals import authentication_failed

        authentication_failed.connect(_mfa_failed, dispatch_uid="keyworker.audit.mfa_failed")


connect_mfa()
