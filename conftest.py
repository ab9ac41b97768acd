"""Fixtures every app's tests share. Personas live in keyworker.core.testing."""

from __future__ import annotations

import pytest

from keyworker.core.testing import Personas, make_personas


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()
