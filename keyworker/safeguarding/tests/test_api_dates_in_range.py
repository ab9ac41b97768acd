"""Dates in the on-call API's queries are bounded (found by fuzzing the API, keyworker/api/tests/
test_schemathesis.py): a morning in the year 844 made a handover window with London's local-mean-time offset
(-00:01:15), which is not a valid date-time, and a rota from 9999-12-31 would overflow. Both are now a 422
that says which field, and nothing is read."""

from __future__ import annotations

import pytest

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/on-call/handover?morning=0844-10-21", "morning"),
        ("/api/v1/on-call/handover?morning=9999-12-31", "morning"),
        ("/api/v1/on-call/rota?start=9999-12-31", "start"),
        ("/api/v1/on-call/rota?start=0001-01-01", "start"),
    ],
)
def test_a_date_out_of_range_is_a_clear_422(personas: Personas, url: str, field: str) -> None:
    http = signed_in(personas.on_call)
    views = AuditEvent.objects.filter(action=AuditAction.VIEW).count()
    response = http.get(url)
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == [field]
    assert body["detail"].startswith(f"{field}: Input should be")
    assert AuditEvent.objects.filter(action=AuditAction.VIEW).count() == views


def test_the_ordinary_handover_still_answers(personas: Personas) -> None:
    response = signed_in(personas.on_call).get("/api/v1/on-call/handover?morning=2026-03-02")
    assert response.status_code == 200
    assert response.json()["start"].endswith("Z") or "+" in response.json()["start"]
