"""Writing audit events. Callers write them inside their own transaction, so a change and its event
commit or fail together."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.context import current_source
from keyworker.audit.models import AuditAction, AuditEvent


def audit_event_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model,
    client_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    source = current_source()
    return AuditEvent.objects.create(
        occurred_at=timezone.now(),
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        client_id=client_id,
        source_ip=source.ip,
        user_agent=source.user_agent,
        detail=detail or {},
    )


def client_viewed(*, actor: User, client_id: uuid.UUID, obj: models.Model, what: str) -> AuditEvent:
    """A read of personal data: every page or API call that shows a client's records calls this."""
    return audit_event_record(actor=actor, action=AuditAction.VIEW, obj=obj, client_id=client_id, detail={"what": what})


def clients_viewed(actor: User, shown: Iterable[tuple[uuid.UUID | None, models.Model]], *, what: str) -> None:
    """One view audit event per client whose data a response shows, written in a single insert.

    Each event is what client_viewed writes for one client; list pages and API lists use this.
    """
    first_per_client: dict[uuid.UUID, models.Model] = {}
    for client_id, obj in shown:
        if client_id is not None:
            first_per_client.setdefault(client_id, obj)
    if not first_per_client:
        return
    if len(first_per_client) == 1:
        ((client_id, obj),) = first_per_client.items()
        client_viewed(actor=actor, client_id=client_id, obj=obj, what=what)
        return
    source, now = current_source(), timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            occurred_at=now,
            actor=actor,
            action=AuditAction.VIEW,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            client_id=client_id,
            source_ip=source.ip,
            user_agent=source.user_agent,
            detail={"what": what},
        )
        for client_id, obj in first_per_client.items()
    )
