"""Fixtures every app's tests share. Personas live in keyworker.core.testing."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from keyworker.core.testing import Inbox, Personas, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # Argon2 is deliberately slow; tests sign in dozens of personas.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _mfa_not_required(settings: Any) -> None:
    # Tests sign personas in with client.force_login, which skips allauth's MFA step; the MFA-required check
    # is tested on its own (accounts/tests/test_mfa*.py) and end to end in the browser (keyworker/e2e).
    settings.KEYWORKER_REQUIRE_MFA = False


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server on a free loopback port; Django sends through it. `smtp.messages` is what arrived."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox.handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    yield inbox
    controller.stop()
