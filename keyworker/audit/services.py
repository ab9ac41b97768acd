"""Writing audit events. Callers write them inside their own transaction, so a change and its event
commit or fail together."""

from __future__ import annotations

import uuid
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
