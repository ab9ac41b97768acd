"""Ending a job or home with a stale version is a 409 with a message, never a 500 (found by fuzzing the API,
keyworker/api/tests/test_schemathesis.py): the 409 carries the current record only when the record alone fits
the success response, and a spell's response also needs the milestones it has reached."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import Personas, SpellFactory, signed_in
from keyworker.outcomes.models import Spell

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("stale", [2, 7, 2_000_000_000])
def test_a_stale_version_is_a_conflict_and_changes_nothing(personas: Personas, stale: int) -> None:
    spell = SpellFactory(client=personas.client_of(personas.you), recorded_by=personas.you)
    http = signed_in(personas.you)  # signing in is itself an audit event: count after it
    writes = AuditEvent.objects.exclude(action=AuditAction.VIEW).count()
    response = http.post(
        f"/api/v1/spells/{spell.pk}/end",
        json.dumps({"ended_on": timezone.localdate().isoformat(), "version": stale}),
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["detail"]
    again = Spell.objects.get(pk=spell.pk)
    assert (again.ended_on, again.version) == (None, spell.version)
    assert AuditEvent.objects.exclude(action=AuditAction.VIEW).count() == writes
