"""Reading the audit trail."""

from __future__ import annotations

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.audit.models import AuditEvent
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.people.models import Client


def client_audit_trail_for(user: User, client: Client, *, limit: int = 50) -> QuerySet[AuditEvent]:
    """Who viewed and changed this client's records, newest first. Managers only."""
    if not policy.can_see_who_viewed(user, client):
        raise NotFound()
    return AuditEvent.objects.filter(client_id=client.pk).select_related("actor").order_by("-occurred_at")[:limit]
