"""The access policy's querysets are built once per request (policy.request_memo, PolicyMemoMiddleware): the
same answers as without it, data written during the request counted at once, one user's reach never
another's."""

from __future__ import annotations

from typing import Any

import pytest

from keyworker.core import policy
from keyworker.core.testing import CaseFactory, ClientFactory, Personas, signed_in

pytestmark = pytest.mark.django_db


def test_inside_a_request_the_answers_are_the_same_and_each_use_gets_its_own_queryset(personas: Personas):
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    without = set(policy.clients_visible_to(personas.you))
    with policy.request_memo():
        first = policy.clients_visible_to(personas.you)
        second = policy.clients_visible_to(personas.you)
        assert first is not second
        assert set(first) == set(second) == without
        assert mine in without and theirs not in without
        # another user's reach is their own, in the same request
        assert set(policy.clients_visible_to(personas.other_caseworker)) == {theirs}


def test_a_case_opened_during_the_request_counts_at_once(personas: Personas):
    with policy.request_memo():
        before = set(policy.clients_visible_to(personas.you))
        newcomer = ClientFactory()
        assert newcomer not in before
        CaseFactory(client=newcomer, team=personas.team, keyworker=personas.you)
        assert newcomer in set(policy.clients_visible_to(personas.you))


def test_a_page_builds_the_policy_once_per_user(personas: Personas, monkeypatch: Any):
    personas.client_of(personas.you)
    built: list[Any] = []
    original = policy._clients_visible_to

    def counting(user: Any) -> Any:
        built.append(user.pk)
        return original(user)

    monkeypatch.setattr(policy, "_clients_visible_to", counting)
    http = signed_in(personas.you)
    assert http.get("/week/").status_code == 200
    assert built == [personas.you.pk]  # My week holds the policy in several queries; it was built once
    built.clear()
    assert http.get("/caseload/").status_code == 200
    assert built == [personas.you.pk]  # and again for the next request, never carried over
