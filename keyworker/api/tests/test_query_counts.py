"""List endpoints read a page in a fixed number of queries, however many records it shows."""

from __future__ import annotations

import typing

import pytest

from keyworker.casework.models import Contact, ContactAmendment
from keyworker.core.testing import CaseFactory, ContactFactory, TaskFactory

API = "/api/v1"

# Session, user, the client (for a client's lists), the page, its count, one prefetch (amendments), the audit
# chain's lock (PostgreSQL) and head read,
# and one audit insert. A query per record shown would blow this at once: every page holds 10.
MAX_QUERIES = 9


@pytest.fixture
def busy_world(world, personas):
    """Many records of every kind in Team North, each with related rows an N+1 would fetch one by one."""
    for _ in range(12):
        client = personas.client_of(personas.teammate)
        CaseFactory(client=client, keyworker=personas.you, team=personas.team)
        TaskFactory(client=client, owner=personas.teammate)
        contact = typing.cast(Contact, ContactFactory(client=world.mine, recorded_by=personas.teammate))
        for text in ("First fix.", "Second fix."):
            ContactAmendment.objects.create(contact=contact, text=text, reason="Typo.", recorded_by=personas.you)
    return world


@pytest.mark.parametrize(
    "url",
    ["/clients", "/clients?q=Testperson", "/cases", "/cases?status=all", "/tasks", "/tasks?include_done=true",
     "/clients/{mine}/contacts", "/clients/{mine}/cases"],
)
def test_list_query_count_is_bounded(client, busy_world, personas, django_assert_max_num_queries, url):
    client.force_login(personas.manager)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(API + url.format(mine=busy_world.mine.pk) + ("&" if "?" in url else "?")
                              + "page_size=10")
    assert response.status_code == 200
    body = response.json()
    assert body if isinstance(body, list) else len(body["items"]) == 10
