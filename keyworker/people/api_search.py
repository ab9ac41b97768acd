"""Search in the JSON API: clients by name or case reference, and contact notes by their words. Both through
the access policy inside the query (a search never returns, nor counts, what the caller may not see), both
audited as the Search page is: the search itself (never the words typed) and each client shown."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_views
from keyworker.api.schemas import READ_ERRORS, PageOut, PageParams
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework import search as note_search
from keyworker.core.errors import ValidationFailed
from keyworker.people import search as name_search
from keyworker.people.api import ClientSummaryOut
from keyworker.people.selectors import client_search

router = Router(tags=["search"])


class NameSearch(Schema):
    q: str = Field(
        "",
        max_length=1000,
        description=f"A name, preferred name or case reference ({name_search.MIN_QUERY} to "
        f"{name_search.MAX_QUERY} characters). Slips in spelling are forgiven; every word must match.",
    )


class NoteSearch(Schema):
    q: str = Field(
        "",
        max_length=1000,
        description=f"Words in contact notes ({note_search.MIN_QUERY} to {note_search.MAX_QUERY} characters): "
        'all must appear; "quoted words" as a phrase, -word to leave out, `or` between alternatives.',
    )


class ClientSearchPageOut(PageOut):
    items: list[ClientSummaryOut]
    capped: bool = Field(description="True when only the best matches are listed: add more of the name.")


class ClientMini(Schema):
    id: uuid.UUID
    display_name: str


class NoteHitOut(Schema):
    contact_id: uuid.UUID
    client: ClientMini
    kind: str
    occurred_at: dt.datetime
    snippet: str = Field(description="The words around the match, as plain text.")
    snippet_html: str = Field(description="The same, HTML-escaped, with the matched words in <mark>.")


class NoteSearchPageOut(PageOut):
    items: list[NoteHitOut]
    capped: bool = Field(
        description=f"More than {note_search.MAX_RESULTS} notes matched: count is {note_search.MAX_RESULTS} and only"
        " the newest that many can be paged through. Add a word to narrow the search."
    )


def _refuse(problem: str | None) -> None:
    if problem:
        raise ValidationFailed("There is a problem with the search.", {"q": [problem]})


def _record_search(actor: User, query: str, shown: int, scope: str) -> None:
    audit_event_record(
        actor=actor,
        action=AuditAction.SEARCH,
        obj=actor,
        detail={"query_length": len(query), "shown": shown, "in": scope, "via": "api"},
    )


@router.get(
    "/search/clients",
    response={200: ClientSearchPageOut, **READ_ERRORS},
    summary="Find clients by name or case reference",
)
def search_clients(request: HttpRequest, search: Query[NameSearch], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    query = search.q.strip()
    _refuse(name_search.query_problem(query) or (None if query else "Enter a name, preferred name or case reference."))
    found = client_search(actor, query, limit=name_search.CANDIDATES)
    start = (paging.page - 1) * paging.page_size
    items = found[start : start + paging.page_size]
    record_views(actor, ((c.pk, c) for c in items), what="api:search_clients")
    _record_search(actor, query, len(items), "people")
    return {
        "count": len(found),
        "page": paging.page,
        "page_size": paging.page_size,
        "items": items,
        "capped": len(found) >= name_search.CANDIDATES,
    }


@router.get(
    "/search/notes",
    response={200: NoteSearchPageOut, **READ_ERRORS},
    summary="Search the notes of contacts",
)
def search_notes(request: HttpRequest, search: Query[NoteSearch], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    query = search.q.strip()
    _refuse(note_search.query_problem(query) or (None if query else "Enter a word to look for in the notes."))
    found = note_search.note_search(actor, query, page=paging.page, page_size=paging.page_size)
    hits = found.hits if found.page.number == paging.page else []  # past the last page: nothing, as lists do
    record_views(actor, ((h.contact.client_id, h.contact) for h in hits), what="api:search_notes")
    _record_search(actor, query, len(hits), "notes")
    items = [
        {
            "contact_id": h.contact.pk,
            "client": {"id": h.contact.client_id, "display_name": h.contact.client.display_name},
            "kind": h.contact.kind,
            "occurred_at": h.contact.occurred_at,
            "snippet": h.snippet_text,
            "snippet_html": str(h.snippet),
        }
        for h in hits
    ]
    return {
        "count": found.count,
        "capped": found.capped,
        "page": paging.page,
        "page_size": paging.page_size,
        "items": items,
    }
