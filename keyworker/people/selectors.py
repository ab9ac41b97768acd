"""Reading clients, always through the access policy."""

from __future__ import annotations

import uuid

from django.db.models import Q, QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.people.models import Client


def client_list_for(user: User) -> QuerySet[Client]:
    return policy.clients_visible_to(user)


def client_get_for(user: User, client_id: uuid.UUID | str) -> Client:
    """The client, or NotFound if it does not exist or is outside the user's reach."""
    return one_or_not_found(client_list_for(user), pk=client_id)


def client_search_for(user: User, query: str, *, limit: int = 50) -> QuerySet[Client]:
    """Clients whose name, preferred name or case reference matches every word of the query."""
    words = query.split()
    if not words:
        return Client.objects.none()
    found = client_list_for(user)
    for word in words[:6]:
        found = found.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(cases__reference__iexact=word)
        )
    return found.distinct().order_by("last_name", "first_name")[:limit]
