"""Reading subject access requests, and finding the person who asked among ALL clients: both for the data
protection officer alone (anyone else finds nothing: 404). The search is system-wide on purpose: a person may
ask whoever holds their case, or no one does any more."""

from __future__ import annotations

import uuid

from django.db.models import Exists, OuterRef, Q, QuerySet

from keyworker.accounts.models import User
from keyworker.casework.models import Case
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.people import search
from keyworker.people.models import Client
from keyworker.privacy.models import SubjectAccessRequest

__all__ = ["SEARCH_LIMIT", "sar_client_for", "sar_client_search_for", "sar_request_get_for", "sar_requests_for"]

SEARCH_LIMIT = 20


def sar_requests_for(user: User) -> QuerySet[SubjectAccessRequest]:
    if not policy.can_export_subject_access(user):
        return SubjectAccessRequest.objects.none()
    return SubjectAccessRequest.objects.select_related("client", "recorded_by", "closed_by").defer(
        "export_json", "export_pdf"
    )


def sar_request_get_for(user: User, request_id: uuid.UUID | str) -> SubjectAccessRequest:
    return one_or_not_found(sar_requests_for(user), pk=request_id)


def sar_client_for(user: User, client_id: uuid.UUID | str) -> Client:
    """Any client, for the officer starting a request; nobody else."""
    if not policy.can_export_subject_access(user):
        raise NotFound()
    return one_or_not_found(Client.objects.all(), pk=client_id)


def sar_client_search_for(user: User, query: str) -> list[Client]:
    """Clients whose names (each word, a typo forgiven as in people search) or case reference match, among all
    clients, best first, with their case references (`references`) to tell people apart."""
    if not policy.can_export_subject_access(user) or search.query_problem(query) or not query.strip():
        return []
    words = search.query_words(query)
    references = [word.upper() for word in words]
    by_reference = Q(Exists(Case.objects.filter(client_id=OuterRef("pk"), reference__in=references)))
    by_name = Q()
    for word in words:
        # A prefix of any name: the typo-forgiving score below ranks and filters the candidates.
        prefix = word[:3]
        by_name &= (
            Q(first_name__icontains=prefix) | Q(last_name__icontains=prefix) | Q(preferred_name__icontains=prefix)
        )
    candidates = list(Client.objects.filter(by_reference | by_name)[: search.CANDIDATES])
    refs: dict[uuid.UUID, list[str]] = {}
    for client_id, reference in Case.objects.filter(client__in=candidates).values_list("client_id", "reference"):
        refs.setdefault(client_id, []).append(reference)
    scored = []
    for person in candidates:
        own = refs.get(person.pk, [])
        matched = [r for r in own if r.upper() in references]
        score = search.name_score(words, (person.first_name, person.last_name, person.preferred_name), matched)
        if score > 0:
            person.references = sorted(own)  # type: ignore[attr-defined]
            scored.append((-score, person.last_name.lower(), person.first_name.lower(), str(person.pk), person))
    scored.sort(key=lambda row: row[:4])
    return [row[4] for row in scored[:SEARCH_LIMIT]]
