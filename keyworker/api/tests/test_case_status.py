"""POST /api/v1/cases/{id}/status: hold, resume and close, with optimistic locking."""

from __future__ import annotations

import pytest
from django.utils import timezone

from keyworker.casework.models import Case, CaseStatus
from keyworker.core.testing import Personas

pytestmark = pytest.mark.django_db


def _url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/status"


def test_close_a_case_with_a_reason(client, personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(personas.you)
    response = client.post(
        _url(case),
        {"status": "closed", "version": case.version, "closure_reason": "goals_met"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_on == timezone.localdate()
    assert response.json()["version"] == case.version


def test_closing_without_a_reason_changes_nothing(client, personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(personas.you)
    response = client.post(_url(case), {"status": "closed", "version": case.version}, content_type="application/json")
    assert response.status_code == 422
    assert "closure_reason" in response.json()["errors"]
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


def test_stale_version_is_a_conflict(client, personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(personas.you)
    response = client.post(
        _url(case), {"status": "on_hold", "version": case.version + 1}, content_type="application/json"
    )
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN


@pytest.mark.parametrize(("viewer", "status"), [("teammate", 200), ("manager", 200), ("other_caseworker", 404)])
def test_who_may_change_a_case(client, personas: Personas, viewer: str, status: int):
    case = personas.client_of(personas.you).cases.get()
    client.force_login(getattr(personas, viewer))
    response = client.post(_url(case), {"status": "on_hold", "version": case.version}, content_type="application/json")
    assert response.status_code == status
