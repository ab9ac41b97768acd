"""Fixtures every app's tests share. Personas live in keyworker.core.testing."""

from __future__ import annotations

from typing import Any

import pytest

from keyworker.core.testing import Personas, make_personas


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
