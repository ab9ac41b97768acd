"""Reading the disclosure log through the access policy: a client's log is part of their record."""

from __future__ import annotations

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure


def disclosures_for(user: User, client: Client) -> QuerySet[Disclosure]:
    """What about `client` left Keyworker, newest first; nothing if the client is outside the user's reach."""
    return (
        Disclosure.objects.filter(client__in=policy.clients_visible_to(user), client=client)
        .select_related("disclosed_by")
        .order_by("-disclosed_at")
    )
