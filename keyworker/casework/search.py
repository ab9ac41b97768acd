"""Full-text search of contact notes and their amendments, through the access policy
(docs/decisions/0030-search.md).

PostgreSQL: `note_search @@ websearch_to_tsquery('english', q)`, where note_search is a stored
to_tsvector('english', note) with a GIN index (migrations 0002, 0003), snippets by ts_headline.
SQLite: FTS5 tables with porter stemming kept in step by triggers, snippets by snippet(). Either way the
matches are found by one SQL statement whose WHERE holds the access policy, so the count and the page are
both right and nothing outside the user's reach is counted.

A sensitive contact never matches by its words (its heading may be listed elsewhere, its words never), and
nothing here reads third-party or safeguarding records.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from markupsafe import Markup, escape

from keyworker.accounts.models import User
from keyworker.casework.models import Contact
from keyworker.core import policy
from keyworker.people.search import length_problem

MIN_QUERY = 2
MAX_QUERY = 200
PAGE_SIZE = 25
MAX_RESULTS = 1000  # the newest this many matches are offered; more says "add a word"
MAX_TERMS = 12

# Marks around a matched word in a snippet, turned into <mark> only after the text is escaped. Private-use
# characters, which nobody types; any that are in a note anyway are dropped before the marks are placed.
_START, _STOP = "\ue000", "\ue001"
_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')


def query_problem(query: str) -> str | None:
    """Why a notes search cannot be run as typed (shown to the user), or None. Empty is no search at all."""
    text = query.strip()
    problem = length_problem(text, shortest=MIN_QUERY, longest=MAX_QUERY)
    if problem or not text:
        return problem
    if not fts5_query(text):
        return "Enter a word to look for in the notes."
    return None


def _phrase(text: str) -> str:
    """One FTS5 phrase: the words of text, quoted (a quote inside is doubled), punctuation left to the
    tokenizer. Empty if text holds no word."""
    words = re.findall(r"[^\W_]+", text, re.UNICODE)
    return '"' + " ".join(words).replace('"', '""') + '"' if words else ""


def fts5_query(text: str) -> str:
    """The user's words as an FTS5 query on the note column, in the spirit of PostgreSQL's websearch syntax:
    words must all appear, "quoted words" as a phrase, -word must not appear, `or` between alternatives.
    Nothing the user types can reach FTS5's own syntax: every term is a quoted phrase. Empty if there is no
    word to look for."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    terms = 0
    for match in _TOKEN.finditer(text):
        negated, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            if groups[-1][0]:
                groups.append(([], []))
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negated, bare = "-", bare[1:]
        phrase = _phrase(quoted if quoted is not None else bare)
        if not phrase or terms >= MAX_TERMS:
            continue
        terms += 1
        groups[-1][1 if negated else 0].append(phrase)
    parts = []
    for positive, negative in groups:
        if not positive:
            continue
        expression = " AND ".join(positive)
        for phrase in negative:
            expression = f"({expression}) NOT {phrase}"
        parts.append(f"({expression})")
    return " OR ".join(parts)


@dataclass(frozen=True)
class NoteHit:
    contact: Contact
    snippet: Markup  # escaped HTML, the matched words in <mark>

    @property
    def snippet_text(self) -> str:
        """The snippet as plain text (for the API)."""
        return self.snippet.striptags()


def marked_snippet(raw: str) -> Markup:
    """A snippet from the database, escaped, with its match marks turned into <mark> (always balanced)."""
    out: list[str] = []
    open_mark = False
    for piece in re.split(f"([{_START}{_STOP}])", raw):
        if piece == _START:
            if not open_mark:
                out.append("<mark>")
                open_mark = True
        elif piece == _STOP:
            if open_mark:
                out.append("</mark>")
                open_mark = False
        else:
            out.append(str(escape(piece)))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))  # noqa: S704


def _visible_contacts(user: User) -> QuerySet[Contact]:
    return Contact.objects.filter(client__in=policy.clients_visible_to(user), is_sensitive=False)


def _matching_ids_sql(user: User, query: str) -> tuple[str, list[object]]:
    """SQL for the ids of contacts of clients in the user's reach whose note, or one of whose amendments,
    matches. The policy is inside, so a common word costs the matches in reach, not every match."""
    visible_sql, visible_params = policy.clients_visible_to(user).order_by().values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        return (
            # the policy's own SQL and constants only; the words are parameters
            # note_search and text_search: stored to_tsvector('english', …) columns, GIN-indexed (migration 0003)
            "SELECT id FROM casework_contact "  # noqa: S608
            "WHERE note_search @@ websearch_to_tsquery('english', %s)"
            f" AND client_id IN ({visible_sql})"
            " UNION SELECT a.contact_id FROM casework_contactamendment a JOIN casework_contact c ON c.id = a.contact_id"
            " WHERE a.text_search @@ websearch_to_tsquery('english', %s)"
            f" AND c.client_id IN ({visible_sql})",
            [query, *visible_params, query, *visible_params],
        )
    match = fts5_query(query)
    return (
        "SELECT k.contact_id FROM casework_contact_notes JOIN casework_contact_notes_key k"  # noqa: S608
        " ON k.id = casework_contact_notes.rowid WHERE casework_contact_notes MATCH %s"
        f" AND k.client_id IN ({visible_sql})"
        " UNION SELECT k.contact_id FROM casework_amendment_notes JOIN casework_amendment_notes_key k"
        " ON k.id = casework_amendment_notes.rowid WHERE casework_amendment_notes MATCH %s"
        f" AND k.client_id IN ({visible_sql})",
        [match, *visible_params, match, *visible_params],
    )


def note_search_queryset(user: User, query: str) -> QuerySet[Contact]:
    """Contacts in the user's reach, not sensitive, whose note or an amendment matches: newest first."""
    if not policy.can_use_casework(user) or query_problem(query) or not query.strip():
        return Contact.objects.none()
    sql, params = _matching_ids_sql(user, query.strip())
    return (
        # the matching SQL holds the policy; the outer query repeats it (cheap: it is the same list) so that
        # this queryset alone never returns a contact out of reach, whatever the SQL above becomes
        _visible_contacts(user)
        .filter(pk__in=RawSQL(sql, params))  # noqa: S611
        .select_related("client", "recorded_by")
        .order_by("-occurred_at", "-created_at", "pk")
    )


def _snippets(query: str, contact_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Raw snippets (with the private marks) for one page of contacts: from the note if it matched there,
    else from the matching amendment. Two queries whatever the page size."""
    if not contact_ids:
        return {}
    found: dict[uuid.UUID, str] = {}
    ids = list(contact_ids)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = f"StartSel={_START}, StopSel={_STOP}, MaxWords=30, MinWords=12"
            for table, column, vector, key in (
                ("casework_contact", "note", "note_search", "id"),
                ("casework_contactamendment", "text", "text_search", "contact_id"),
            ):
                placeholders = ", ".join(["%s"] * len(ids))
                cursor.execute(
                    f"SELECT {key}, ts_headline('english', replace(replace({column}, %s, ''), %s, ''),"  # noqa: S608
                    f" websearch_to_tsquery('english', %s), %s)"
                    f" FROM {table} WHERE {key} IN ({placeholders})"
                    f" AND {vector} @@ websearch_to_tsquery('english', %s)",
                    [_START, _STOP, query, options, *ids, query],
                )
                for key_value, headline in cursor.fetchall():
                    found.setdefault(uuid.UUID(str(key_value)), headline)
        else:
            match = fts5_query(query)
            placeholders = ", ".join(["%s"] * len(ids))
            for table in ("casework_contact_notes", "casework_amendment_notes"):
                cursor.execute(
                    f"SELECT k.contact_id, snippet({table}, 0, %s, %s, '…', 16) FROM {table}"  # noqa: S608
                    f" JOIN {table}_key k ON k.id = {table}.rowid WHERE {table} MATCH %s"
                    f" AND k.contact_id IN ({placeholders})",
                    [_START, _STOP, match, *(i.hex for i in ids)],
                )
                for key_value, snippet in cursor.fetchall():
                    found.setdefault(uuid.UUID(str(key_value)), snippet)
    return found


def note_hits(query: str, contacts: Sequence[Contact]) -> list[NoteHit]:
    """One page of matching contacts with their snippets (two queries, whatever the page size)."""
    raw = _snippets(query.strip(), [c.pk for c in contacts])
    hits = []
    for contact in contacts:
        text = raw.get(contact.pk)
        if text is None:  # matched in a way no snippet shows (a stem): the start of the note instead
            note = contact.note.replace(_START, "").replace(_STOP, "")
            text = note[:160] + ("…" if len(note) > 160 else "")
        hits.append(NoteHit(contact=contact, snippet=marked_snippet(text)))
    return hits


@dataclass(frozen=True)
class NoteSearchResult:
    hits: list[NoteHit]
    page: Page  # a page of contact ids; `hits` holds the page's contacts
    count: int  # at most MAX_RESULTS
    capped: bool  # more notes matched than MAX_RESULTS: only the newest are offered


def note_search(user: User, query: str, *, page: int = 1, page_size: int = PAGE_SIZE) -> NoteSearchResult:
    """One page of matching notes, newest first, with their snippets; four queries whatever the matches.

    The matches are found once: the ids of the newest MAX_RESULTS + 1 (the heavy query: the words, the
    policy and the sort), which give the count, whether there are more, and the page. A separate count would
    find every match a second time, and nobody pages past the newest thousand: they add a word."""
    ids = list(note_search_queryset(user, query).values_list("pk", flat=True)[: MAX_RESULTS + 1])
    capped = len(ids) > MAX_RESULTS
    del ids[MAX_RESULTS:]
    page_obj = Paginator(ids, page_size).get_page(page)
    wanted = list(page_obj.object_list)
    by_id = Contact.objects.select_related("client", "recorded_by").in_bulk(wanted)
    contacts = [by_id[pk] for pk in wanted if pk in by_id]
    return NoteSearchResult(hits=note_hits(query, contacts), page=page_obj, count=len(ids), capped=capped)
