"""Full-text search of contact notes: within the searcher's reach, never a sensitive note's words, never a
third-party record, with a safely escaped snippet; on SQLite (FTS5) and PostgreSQL (tsvector) alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework.models import Contact, ContactAmendment
from keyworker.casework.search import fts5_query, marked_snippet, note_search, note_search_queryset
from keyworker.core.testing import REACH_OF_YOUR_CLIENT, ContactFactory, Personas, signed_in
from keyworker.people.models import ThirdParty
from keyworker.safeguarding.models import AccessRule, AccessRuleKind, BreakGlassGrant

pytestmark = pytest.mark.django_db

NOTES = "/search/?in=notes"


@pytest.fixture
def mine(personas: Personas):
    client = personas.client_of(personas.you, first_name="Dwayne", last_name="Example")
    contact = ContactFactory(
        client=client, recorded_by=personas.you, note="Talked about housing benefit and his move to Croydon."
    )
    return client, contact


@pytest.fixture
def theirs(personas: Personas):
    client = personas.client_of(personas.other_caseworker, first_name="Other", last_name="Teamclient")
    contact = ContactFactory(
        client=client, recorded_by=personas.other_caseworker, note="Housing benefit claim refused again."
    )
    return client, contact


def _found(user, query: str) -> list[Contact]:
    return [h.contact for h in note_search(user, query).hits]


def test_words_are_found_with_stemming_and_a_highlighted_snippet(personas, mine):
    _, contact = mine
    found = note_search(personas.you, "benefits moving")
    hits = found.hits
    assert [h.contact for h in hits] == [contact]
    assert (found.count, found.capped) == (1, False)
    assert "<mark>" in str(hits[0].snippet)
    assert "housing" in hits[0].snippet_text.lower()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ('"housing benefit"', True),
        ('"benefit housing"', False),
        ("housing -croydon", False),
        ("housing -lambeth", True),
        ("lambeth or croydon", True),
        ("lambeth", False),
    ],
)
def test_phrases_exclusions_and_alternatives(personas, mine, query, found):
    _, contact = mine
    assert (_found(personas.you, query) == [contact]) == found


@pytest.mark.parametrize(
    ("who", "finds"),
    REACH_OF_YOUR_CLIENT,
)
def test_nobody_finds_a_note_outside_their_reach_nor_its_count(personas, mine, theirs, who, finds):
    user = getattr(personas, who)
    found = note_search(user, "housing benefit")
    hits = found.hits
    assert (mine[1] in [h.contact for h in hits]) == finds
    assert theirs[1] not in [h.contact for h in hits] or who in ("other_caseworker", "other_manager")
    expected = 1 if finds or who in ("other_caseworker", "other_manager") else 0
    assert found.count == expected


def test_past_the_cap_the_newest_are_offered_and_the_count_says_more(personas, mine, theirs, monkeypatch):
    """Over MAX_RESULTS matches, the count stops at the cap and says so; the pages hold the newest, in order."""
    client, _ = mine
    start = timezone.now() - dt.timedelta(days=30)
    for i in range(6):
        ContactFactory(
            client=client, recorded_by=personas.you, note=f"housing call {i}", occurred_at=start + dt.timedelta(days=i)
        )
    newest_first = list(Contact.objects.filter(client=client).order_by("-occurred_at"))
    assert len(newest_first) == 7
    monkeypatch.setattr("keyworker.casework.search.MAX_RESULTS", 5)
    first = note_search(personas.you, "housing", page_size=2)
    assert (first.count, first.capped, first.page.paginator.num_pages) == (5, True, 3)
    assert [h.contact for h in first.hits] == newest_first[:2]
    assert [h.contact for h in note_search(personas.you, "housing", page=3, page_size=2).hits] == newest_first[4:5]
    page = signed_in(personas.you).get("/search/", {"q": "housing", "in": "notes"})
    assert "More than 5 notes" in page.content.decode()
    body = signed_in(personas.you).get("/api/v1/search/notes", {"q": "housing", "page_size": 2, "page": 9}).json()
    assert (body["count"], body["capped"], body["items"]) == (5, True, [])
    # the other team's note never counts towards the cap or the pages
    assert theirs[1] not in [h.contact for h in note_search(personas.you, "housing", page_size=10).hits]


def test_the_other_team_finds_only_their_own_note(personas, mine, theirs):
    assert _found(personas.other_caseworker, "housing") == [theirs[1]]


def test_a_sensitive_note_never_matches_by_its_words(personas, mine):
    client, _ = mine
    secret = ContactFactory(
        client=client, recorded_by=personas.you, note="Disclosed the zebrafish code.", is_sensitive=True
    )
    assert _found(personas.you, "zebrafish") == []
    # marked sensitive after it was written: it stops matching at once
    later = ContactFactory(client=client, recorded_by=personas.you, note="Mentioned the marmalade stash.")
    assert _found(personas.you, "marmalade") == [later]
    Contact.objects.filter(pk=later.pk).update(is_sensitive=True)
    assert _found(personas.you, "marmalade") == []
    html = signed_in(personas.you).get(NOTES + "&q=zebrafish").content.decode()
    assert "0 notes for" in html
    assert str(secret.pk) not in html


def test_an_amendment_is_searched_with_its_contact(personas, mine):
    _, contact = mine
    ContactAmendment.objects.create(
        contact=contact, text="Correction: the hostel is in Peckham.", reason="Wrong area", recorded_by=personas.you
    )
    hits = note_search(personas.you, "peckham").hits
    assert [h.contact for h in hits] == [contact]
    assert "<mark>Peckham</mark>" in str(hits[0].snippet)


def test_third_party_records_are_never_searched(personas, mine):
    ThirdParty.objects.create(name="Shaniqua Thirdparty", description="a client's partner", safe_contact_note="quokka")
    assert _found(personas.you, "quokka") == []
    assert _found(personas.you, "Shaniqua") == []


def test_restriction_exclusion_and_break_glass(personas, mine):
    client, contact = mine
    now = timezone.now()
    rule = AccessRule.objects.create(
        client=client, kind=AccessRuleKind.RESTRICTION, reason="High profile", starts_at=now, set_by=personas.manager
    )
    rule.staff.set([personas.you])
    assert _found(personas.you, "housing") == [contact]
    assert _found(personas.teammate, "housing") == []
    rule.lifted_at = now
    rule.lifted_by = personas.manager
    rule.save()
    assert _found(personas.on_call, "housing") == []
    BreakGlassGrant.objects.create(
        user=personas.on_call, client=client, reason="Crisis", granted_at=now, expires_at=now + dt.timedelta(hours=4)
    )
    assert _found(personas.on_call, "housing") == [contact]


def test_a_snippet_is_escaped(personas):
    client = personas.client_of(personas.you)
    ContactFactory(client=client, recorded_by=personas.you, note='He wrote <script>alert("x")</script> on the wall.')
    hits = note_search(personas.you, "wall").hits
    html = str(hits[0].snippet)
    assert "<script>" not in html
    # SQLite shows the tag as text, escaped; PostgreSQL's ts_headline leaves tags out of a snippet
    assert "&lt;script&gt;" in html or "script" not in html
    assert "&#34;x&#34;" in html
    page = signed_in(personas.you).get(NOTES + "&q=wall").content.decode()
    assert "<script>alert" not in page


def test_the_page_lists_notes_newest_first_paginated_with_links_to_the_timeline(
    personas, django_assert_max_num_queries
):
    client = personas.client_of(personas.you, first_name="Paged", last_name="Person")
    now = timezone.now()
    for i in range(30):
        ContactFactory(
            client=client,
            recorded_by=personas.you,
            note=f"Weekly catch-up number {i}.",
            occurred_at=now - dt.timedelta(days=i),
        )
    http = signed_in(personas.you)
    with django_assert_max_num_queries(14):
        html = http.get(NOTES + "&q=catch-up").content.decode()
    assert "30 notes for" in html
    assert "Page 1 of 2" in html
    assert html.count(f'href="/clients/{client.pk}/#timeline"') == 25
    assert html.index("number 0") < html.index("number 1.")
    second = http.get(NOTES + "&q=catch-up&page=2").content.decode()
    assert second.count(f'href="/clients/{client.pk}/#timeline"') == 5
    assert "in=notes" in html.split("Page 1 of 2")[1]  # the next link keeps to the notes


def test_the_htmx_fragment_lists_the_notes(personas, mine):
    client, _ = mine
    html = signed_in(personas.you).get(NOTES + "&q=housing", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert "1 note for" in html
    assert f'href="/clients/{client.pk}/#timeline"' in html


def test_a_notes_search_is_audited_without_its_words(personas, mine):
    client, _ = mine
    signed_in(personas.you).get(NOTES + "&q=housing")
    search = AuditEvent.objects.get(actor=personas.you, action=AuditAction.SEARCH)
    assert search.detail == {"query_length": 7, "shown": 1, "in": "notes"}
    view = AuditEvent.objects.get(actor=personas.you, action=AuditAction.VIEW, client_id=client.pk)
    assert view.detail == {"what": "note search results"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("h", "Enter at least 2 characters."),
        ("x" * 500, "Enter no more than 200 characters."),
        ("-housing", "Enter a word to look for in the notes."),
    ],
)
def test_bad_input_gets_a_clear_message(personas, mine, query, message):
    response = signed_in(personas.you).get("/search/", {"in": "notes", "q": query})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action__in=[AuditAction.SEARCH, AuditAction.VIEW]).exists()
    api = signed_in(personas.you).get("/api/v1/search/notes", {"q": query})
    assert api.status_code == 422
    assert api.json()["errors"]["q"] == [message]


@pytest.mark.parametrize("query", ['"', "((", "AND OR NOT", "NEAR(a b)", "*", "note:x", "^x", "{a}"])
def test_fts_syntax_typed_by_the_user_is_never_an_error(personas, mine, query):
    assert signed_in(personas.you).get("/search/", {"in": "notes", "q": query}).status_code == 200
    assert signed_in(personas.you).get("/api/v1/search/notes", {"q": query}).status_code in (200, 422)


def test_api_notes_search(personas, mine, theirs):
    client, contact = mine
    body = signed_in(personas.you).get("/api/v1/search/notes", {"q": "housing"}).json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["contact_id"] == str(contact.pk)
    assert item["client"] == {"id": str(client.pk), "display_name": "Dwayne Example"}
    assert "<mark>" in item["snippet_html"] and "<mark>" not in item["snippet"]
    nothing = signed_in(personas.report_viewer).get("/api/v1/search/notes", {"q": "housing"}).json()
    assert nothing["count"] == 0


def test_the_queryset_is_one_statement_with_the_policy_inside(personas, mine, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert note_search_queryset(personas.you, "housing").count() == 1


# --- pure parts --------------------------------------------------------------------------------------------


@given(st.text(max_size=80))
def test_any_typed_text_becomes_a_query_of_quoted_phrases_only(text):
    query = fts5_query(text)
    # outside the quoted phrases only the operators and brackets this module writes
    outside = "".join(query.split('"')[0::2])
    assert set(outside.replace("AND", "").replace("NOT", "").replace("OR", "")) <= set("() ")


@given(st.text(alphabet=st.sampled_from(["a", "<", ">", "&", '"', "\ue000", "\ue001", " "]), max_size=40))
def test_a_snippet_is_escaped_and_its_marks_balanced(raw):
    html = str(marked_snippet(raw))
    assert "<" not in html.replace("<mark>", "").replace("</mark>", "")
    assert html.count("<mark>") == html.count("</mark>")


# --- indexes ----------------------------------------------------------------------------------------------


# Runs in CI's PostgreSQL run; the SQLite run checks the FTS5 tables instead.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans; SQLite uses its FTS5 tables")
def test_postgres_note_search_uses_the_gin_indexes(personas, mine):
    """The search's own text predicates can use the GIN indexes on the stored vectors. The predicates are
    checked alone: on tiny test tables the planner may as well start from the few visible clients (it did in
    CI), which says nothing about 5,000,000 notes; that the search's SQL holds exactly these predicates is
    asserted first."""
    sql, _ = note_search_queryset(personas.you, "housing").query.sql_with_params()
    predicates = {
        "casework_contact_note_fts": (
            "SELECT id FROM casework_contact WHERE note_search @@ websearch_to_tsquery('english', %s)"
        ),
        "casework_amendment_text_fts": (
            "SELECT a.contact_id FROM casework_contactamendment a"
            " WHERE a.text_search @@ websearch_to_tsquery('english', %s)"
        ),
    }
    assert "note_search @@ websearch_to_tsquery('english', %s)" in sql
    assert "a.text_search @@ websearch_to_tsquery('english', %s)" in sql
    with connection.cursor() as cursor:
        # the tiny test tables would make a scan cheapest: leave the planner only bitmap (GIN-capable) scans
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for index, predicate in predicates.items():
            cursor.execute(f"EXPLAIN {predicate}", ["housing"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan


# Runs in CI's SQLite run; PostgreSQL needs no triggers (generated columns).
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's triggers")
def test_sqlite_note_index_is_kept_in_step(personas, mine):
    _, contact = mine
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM casework_contact_notes")
        assert cursor.fetchone()[0] == 1
        Contact.objects.filter(pk=contact.pk).update(note="Now about a dentist.")
        cursor.execute("SELECT note FROM casework_contact_notes")
        assert [row[0] for row in cursor.fetchall()] == ["Now about a dentist."]


# Runs in CI's PostgreSQL run: the stored vector follows the note (PostgreSQL regenerates it on every update).
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's generated column")
def test_postgres_stored_vector_follows_an_edited_note(personas, mine):
    _, contact = mine
    Contact.objects.filter(pk=contact.pk).update(note="Now about a dentist.")
    assert _found(personas.you, "housing") == []
    assert _found(personas.you, "dentist") == [contact]
