"""The routes and API operations addressed by a letter follow docs/access-policy.md's client-record row for
every role and record state: allowed cells answer and are audited, denied cells are 404 and show nothing, a
denied write changes nothing, anonymous callers are sent to sign in (pages) or refused (API)."""

from __future__ import annotations

import json

from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from keyworker.core.testing import LetterFactory
from keyworker.core.tests.test_authorisation_matrix import (
    World,
    _assert_cell,
    _build_world,
    _views_of,
    allowed_states,
)
from keyworker.outcomes.models import Letter, LetterStatus

PDF = b"%PDF-1.7 matrix"


def _letters() -> tuple[World, dict[str, dict[str, Letter]]]:
    world = _build_world()
    letters: dict[str, dict[str, Letter]] = {}
    for state, bundle in world.bundles.items():
        letters[state] = {
            "draft": LetterFactory(client=bundle.client, written_by=world.personas.you, body=f"Draft {bundle.marker}"),
            "final": LetterFactory(
                client=bundle.client,
                written_by=world.personas.you,
                body=f"Final {bundle.marker}",
                status=LetterStatus.FINAL,
                finalised_at=timezone.now(),
                pdf=PDF,
            ),
        }
    return world, letters


def test_letter_routes_follow_the_client_record_matrix(db):
    world, letters = _letters()
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            for name, which in (
                ("outcomes:letter_edit", "draft"),
                ("outcomes:letter_edit", "final"),
                ("outcomes:letter_pdf", "final"),
            ):
                url = reverse(name, args=[letters[state][which].pk])
                before = _views_of(viewer, bundle)
                response = http.get(url)
                _assert_cell(response, state in allowed, bundle.marker, f"GET {name} {which} {role} {state}")
                if state in allowed:
                    assert _views_of(viewer, bundle) > before, (name, role, state, "not audited")
            if state not in allowed:
                draft = letters[state]["draft"]
                response = http.post(
                    reverse("outcomes:letter_edit", args=[draft.pk]),
                    {"action": "save", "version": "1", "addressee": "Changed", "body": "Changed"},
                )
                assert response.status_code == 404
    assert not Letter.objects.filter(body="Changed").exists()
    http.logout()
    for name in ("outcomes:letter_edit", "outcomes:letter_pdf"):
        response = http.get(reverse(name, args=[letters["own"]["final"].pk]))
        assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_letter_api_follows_the_client_record_matrix(db):
    world, letters = _letters()
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            draft, final = letters[state]["draft"], letters[state]["final"]
            before = _views_of(viewer, bundle)
            response = http.get(f"/api/v1/letters/{final.pk}/pdf")
            _assert_cell(response, state in allowed, bundle.marker, f"GET pdf {role} {state}")
            if state in allowed:
                assert response.content == PDF and _views_of(viewer, bundle) > before
            # A stale version: an allowed caller gets 409, a denied one 404; nothing is written either way.
            response = http.put(
                f"/api/v1/letters/{draft.pk}",
                json.dumps({"version": 99, "addressee": "Changed", "body": "Changed"}),
                content_type="application/json",
            )
            _assert_cell(response, state in allowed, bundle.marker, f"PUT letter {role} {state}")
            response = http.post(
                f"/api/v1/letters/{draft.pk}/finalise", json.dumps({"version": 99}), content_type="application/json"
            )
            _assert_cell(response, state in allowed, bundle.marker, f"POST finalise {role} {state}")
    assert not Letter.objects.filter(body="Changed").exists()
    assert Letter.objects.filter(status=LetterStatus.FINAL).count() == len(letters)
    http.logout()
    response = http.get(f"/api/v1/letters/{letters['own']['final'].pk}/pdf")
    assert response.status_code == 401
