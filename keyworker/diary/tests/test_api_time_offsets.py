"""A time sent with any offset pydantic accepts (up to ±23:59) is stored as the same instant, never a server
error: PostgreSQL stores no offset beyond ±15:59, so api.schemas.InputSchema turns such a time into UTC first
(found by fuzzing the API on PostgreSQL, keyworker/api/tests/test_schemathesis.py). One with no UTC year is a
422 and nothing is saved."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from keyworker.core.testing import Personas, signed_in
from keyworker.diary.models import Appointment

pytestmark = pytest.mark.django_db


def _book(personas: Personas, starts_at: str, ends_at: str):
    client = personas.client_of(personas.you)
    body = {"kind": "office", "starts_at": starts_at, "ends_at": ends_at, "client_id": str(client.pk)}
    return signed_in(personas.you).post("/api/v1/appointments", json.dumps(body), content_type="application/json")


def test_an_odd_offset_is_the_same_instant_in_utc(personas: Personas) -> None:
    response = _book(personas, "2030-01-07T10:00:00-16:06", "2030-01-07T11:00:00-16:06")
    assert response.status_code == 201, response.content
    booked = Appointment.objects.get()
    assert booked.starts_at == dt.datetime(2030, 1, 8, 2, 6, tzinfo=dt.UTC)
    assert booked.ends_at - booked.starts_at == dt.timedelta(hours=1)


def test_a_time_with_no_utc_year_is_a_422_and_changes_nothing(personas: Personas) -> None:
    response = _book(personas, "0001-01-01T00:00:00+23:00", "2030-01-07T11:00:00Z")
    assert response.status_code == 422
    assert "starts_at is not a date and time that can be recorded." in response.json()["detail"]
    assert not Appointment.objects.exists()
