"""Finding a client by name or case reference: typos forgiven, always within the searcher's reach, audited.

Runs on SQLite (FTS5 trigram) and on PostgreSQL (pg_trgm) alike; the EXPLAIN check is PostgreSQL's only.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Case
from keyworker.core.testing import REACH_OF_YOUR_CLIENT, CaseFactory, ClientFactory, Personas, signed_in
from keyworker.people.models import Client
from keyworker.people.search import edit_distance, name_score, query_problem, query_words
from keyworker.people.selectors import client_search, client_search_for
from keyworker.safeguarding.models import AccessRule, AccessRuleKind, BreakGlassGrant

pytestmark = pytest.mark.django_db

SEARCH = "/search/"


@pytest.fixture
def jerome(personas: Personas) -> Client:
    return personas.client_of(personas.you, first_name="Jerome", last_name="Smith", preferred_name="Jay")


@pytest.fixture
def outsider(personas: Personas) -> Client:
    """Another team's client with the same name: never found, never counted, by anyone in our team."""
    return personas.client_of(personas.other_caseworker, first_name="Jerome", last_name="Smith")


def _names(found: list[Client]) -> list[str]:
    return [c.display_name for c in found]


@pytest.mark.parametrize(
    "query", ["Jerom Smyth", "jerome smith", "JEROME", "Smyth", "Jeromy", "smi", "Jay", "jay smith", "Jerome Smiht"]
)
def test_typos_and_preferred_names_find_the_client(personas, jerome, outsider, query):
    assert client_search(personas.you, query) == [jerome]


@pytest.mark.parametrize("query", ["Jerome Bellamy", "Smithers", "Jaz", "Xavier", "jer smith bloggs"])
def test_every_word_must_match_something(personas, jerome, query):
    assert client_search(personas.you, query) == []


def test_exact_matches_come_before_near_ones(personas):
    near = personas.client_of(personas.you, first_name="Jerome", last_name="Smyth")
    exact = personas.client_of(personas.you, first_name="Jerome", last_name="Smith")
    start = personas.client_of(personas.you, first_name="Jerome", last_name="Smithson")
    assert client_search(personas.you, "jerome smith") == [exact, start, near]


def test_the_case_reference_is_exact(personas, jerome, outsider):
    reference = jerome.cases.get().reference
    assert client_search(personas.you, reference.lower()) == [jerome]
    assert client_search(personas.you, reference[:-1]) == []
    assert client_search(personas.you, outsider.cases.get().reference) == []


@pytest.mark.parametrize(
    ("who", "finds"),
    REACH_OF_YOUR_CLIENT,
)
def test_nobody_finds_a_client_outside_their_reach(personas, jerome, who, finds):
    user = getattr(personas, who)
    assert (jerome in client_search(user, "Jerome Smith")) == finds
    assert client_search_for(user, "Jerome Smith").filter(pk=jerome.pk).exists() == finds


def test_on_call_finds_a_client_only_while_their_break_glass_grant_lasts(personas, jerome):
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=personas.on_call,
        client=jerome,
        reason="Crisis call",
        granted_at=now,
        expires_at=now + dt.timedelta(hours=4),
    )
    assert client_search(personas.on_call, "jerome") == [jerome]
    grant.expires_at = now - dt.timedelta(minutes=1)
    grant.save()
    assert client_search(personas.on_call, "jerome") == []


def test_restriction_and_exclusion_hide_the_client_from_search(personas, jerome):
    now = timezone.now()
    rule = AccessRule.objects.create(
        client=jerome, kind=AccessRuleKind.RESTRICTION, reason="High profile", starts_at=now, set_by=personas.manager
    )
    rule.staff.set([personas.you, personas.manager])
    assert client_search(personas.you, "jerome") == [jerome]
    assert client_search(personas.teammate, "jerome") == []
    exclusion = AccessRule.objects.create(
        client=jerome, kind=AccessRuleKind.EXCLUSION, reason="Knows him", starts_at=now, set_by=personas.manager
    )
    exclusion.staff.set([personas.you])
    assert client_search(personas.you, "jerome") == []


def test_the_page_shows_no_count_or_trace_of_hidden_clients(personas, jerome, outsider):
    for _ in range(3):
        personas.client_of(personas.other_caseworker, first_name="Jerome", last_name="Smithe")
    html = signed_in(personas.you).get(SEARCH, {"q": "Jerome Smith"}).content.decode()
    assert "1 result for" in html
    assert str(jerome.pk) in html
    assert str(outsider.pk) not in html
    assert "Smithe" not in html


def test_a_search_is_audited_without_its_words_and_each_client_shown_is_a_view(personas, jerome):
    signed_in(personas.you).get(SEARCH, {"q": "Jerom Smyth"})
    search = AuditEvent.objects.get(actor=personas.you, action=AuditAction.SEARCH)
    assert search.detail == {"query_length": len("Jerom Smyth"), "shown": 1, "in": "people"}
    assert "Smyth" not in str(search.detail)
    assert AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW, client_id=jerome.pk).count() == 1


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("J", "Enter at least 2 characters."),
        ("x" * 500, "Enter no more than 100 characters."),
        ("!!", "Enter a name, preferred name or case reference."),
    ],
)
def test_bad_input_gets_a_clear_message_and_no_search(personas, jerome, query, message):
    response = signed_in(personas.you).get(SEARCH, {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert "govuk-error-summary" in html
    assert str(jerome.pk) not in html
    # nothing searched, so no search and no view recorded
    assert not AuditEvent.objects.filter(action__in=[AuditAction.SEARCH, AuditAction.VIEW]).exists()


def test_empty_search_shows_the_form_only(personas, jerome):
    response = signed_in(personas.you).get(SEARCH, {"q": "  "})
    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()


def test_two_characters_are_enough_for_a_short_name(personas):
    jo = personas.client_of(personas.you, first_name="Jo", last_name="Ng")
    assert client_search(personas.you, "jo") == [jo]
    assert client_search(personas.you, "ng") == [jo]


def test_search_page_is_paginated_and_queries_are_bounded(personas, django_assert_max_num_queries):
    for i in range(30):
        client = ClientFactory(first_name="Zed", last_name=f"Person{i:02d}")
        CaseFactory(client=client, keyworker=personas.you, team=personas.team)
    http = signed_in(personas.you)
    with django_assert_max_num_queries(12):
        first = http.get(SEARCH, {"q": "zed"}).content.decode()
    assert "30 results for" in first
    assert "Page 1 of 2" in first
    assert first.count('href="/clients/') == 25
    second = http.get(SEARCH, {"q": "zed", "page": "2"}).content.decode()
    assert second.count('href="/clients/') == 5


def test_the_search_looks_at_a_bounded_number_of_candidates(personas):
    for i in range(220):
        ClientFactory(first_name="Zed", last_name=f"Many{i:03d}")
    Case.objects.bulk_create(
        [
            Case(
                client=c,
                reference=f"ZZ-{i:06d}",
                programme="gang_exit",
                opened_on=timezone.localdate(),
                keyworker=personas.you,
                team=personas.team,
            )
            for i, c in enumerate(Client.objects.filter(last_name__startswith="Many"))
        ]
    )
    html = signed_in(personas.you).get(SEARCH, {"q": "zed"}).content.decode()
    assert "Showing the best 200 matches" in html


def test_names_changed_later_are_found_by_their_new_name(personas, jerome):
    jerome.last_name = "Okonkwo"
    jerome.save()
    assert client_search(personas.you, "okonkwo") == [jerome]
    assert client_search(personas.you, "smith") == []


def test_people_and_notes_tabs_are_on_the_page(personas):
    html = signed_in(personas.you).get(SEARCH).content.decode()
    assert 'aria-current="page">People' in html
    assert "?in=notes" in html


@pytest.mark.parametrize("who", ["report_viewer", "safeguarding_lead", "peer_mentor"])
def test_the_page_is_not_there_for_roles_without_casework(personas, who):
    assert signed_in(getattr(personas, who)).get(SEARCH, {"q": "Jerome"}).status_code == 404


# --- the API ----------------------------------------------------------------------------------------------


def test_api_finds_clients_by_name_within_reach(personas, jerome, outsider):
    response = signed_in(personas.you).get("/api/v1/search/clients", {"q": "Jerom Smyth"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["id"] for item in body["items"]] == [str(jerome.pk)]
    assert AuditEvent.objects.filter(actor=personas.you, action=AuditAction.VIEW, client_id=jerome.pk).exists()
    other = signed_in(personas.report_viewer).get("/api/v1/search/clients", {"q": "Jerome"}).json()
    assert other["count"] == 0 and other["items"] == []


@pytest.mark.parametrize("query", ["", "J", "x" * 500])
def test_api_bad_input_is_a_422_naming_the_field(personas, query):
    response = signed_in(personas.you).get("/api/v1/search/clients", {"q": query})
    assert response.status_code == 422
    assert "q" in response.json()["errors"]


def test_api_pages(personas):
    for i in range(7):
        personas.client_of(personas.you, first_name="Zed", last_name=f"Paged{i}")
    body = signed_in(personas.you).get("/api/v1/search/clients", {"q": "zed", "page_size": 5, "page": 2}).json()
    assert body["count"] == 7
    assert len(body["items"]) == 2


# --- indexes ----------------------------------------------------------------------------------------------


# Runs in CI's PostgreSQL run; the SQLite run checks the FTS5 tables instead.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans; SQLite uses its FTS5 table")
def test_postgres_name_search_uses_the_trigram_indexes(personas, jerome):
    from keyworker.people import search

    words = search.query_words("Jerom Smyth")
    where, params, _, _ = search.postgres_candidates_sql(words)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN SELECT id FROM people_client WHERE {where}", params)  # noqa: S608
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "people_client_last_name_trgm" in plan, plan
    assert "people_client_first_name_trgm" in plan, plan


# Runs in CI's SQLite run; PostgreSQL needs no triggers (expression indexes).
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
def test_sqlite_name_index_is_kept_in_step_by_triggers(personas, jerome):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'people_client'")
        triggers = {row[0] for row in cursor.fetchall()}
    assert {"people_client_names_insert", "people_client_names_update", "people_client_names_delete"} <= triggers


# --- the pure rules -----------------------------------------------------------------------------------------

_letters = st.text(alphabet="abcdefghij", min_size=1, max_size=10)


@given(_letters, _letters)
def test_edit_distance_is_symmetric_and_zero_only_for_the_same_word(a, b):
    assert edit_distance(a, b, 3) == edit_distance(b, a, 3)
    assert (edit_distance(a, b, 3) == 0) == (a == b)


@given(_letters, st.integers(min_value=0, max_value=9), st.sampled_from("abcdefghij"))
def test_one_slip_is_one_edit(word, position, letter):
    position %= len(word)
    changed = word[:position] + letter + word[position + 1 :]
    assert edit_distance(word, changed, 2) <= 1
    if len(word) > 1 and position < len(word) - 1:
        swapped = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
        assert edit_distance(word, swapped, 2) <= 1


@given(st.lists(st.text(alphabet="abcdefghijklmnop", min_size=2, max_size=12), min_size=1, max_size=3))
def test_a_person_is_always_found_by_their_own_names(names):
    words = [n.lower() for n in names]
    assert name_score(words, names) == 1.0


@given(st.text(max_size=300))
def test_any_input_is_either_a_query_or_a_clear_message(text):
    problem = query_problem(text)
    assert problem is None or problem.endswith(".")
    if problem is None and text.strip():
        assert 1 <= len(query_words(text)) <= 6
