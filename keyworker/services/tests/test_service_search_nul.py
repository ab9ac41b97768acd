"""A NUL character in the services directory's search is a 422 naming the field, not a server error: PostgreSQL
refuses NUL in any text it is sent (found by fuzzing the API on PostgreSQL, keyworker/api/tests/
test_schemathesis.py; the check is api.schemas.QueryParams, shared by query-string schemas)."""

from __future__ import annotations

import pytest

from keyworker.core.testing import Personas, ServiceFactory, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field"),
    [("q=drug%00", "q"), ("area=Lambeth%00", "area"), ("category=%00", "category")],
)
def test_a_nul_in_the_search_is_a_clear_422(personas: Personas, query: str, field: str) -> None:
    response = signed_in(personas.you).get(f"/api/v1/services?{query}")
    assert response.status_code == 422
    assert "contains a character that is not allowed" in response.json()["detail"]
    assert field in response.json()["detail"]


def test_an_ordinary_search_still_finds_the_service(personas: Personas) -> None:
    ServiceFactory(name="Drug and alcohol drop-in")
    response = signed_in(personas.you).get("/api/v1/services?q=drug")
    assert response.status_code == 200
    assert "Drug and alcohol drop-in" in response.content.decode()
