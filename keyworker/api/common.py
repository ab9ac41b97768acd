"""Helpers the endpoints share: who is asking, record ids from paths, pages, and view audit events."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.api.schemas import PageParams
from keyworker.audit.context import current_source
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.audit.services import client_viewed
from keyworker.core.errors import NotFound, ValidationFailed

M = TypeVar("M", bound=models.Model)


def actor_of(request: HttpRequest) -> User:
    """The signed-in member of staff (the API's auth has already refused anyone else)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:  # pragma: no cover - auth guards this
        raise NotFound()
    return user


def record_id(value: str) -> uuid.UUID:
    """A record id from a URL. Anything that is not an id names no record: 404, like any unknown id."""
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise NotFound() from exc


def reference_id(value: str | None, *, field: str, message: str) -> uuid.UUID | None:
    """A record id given in a request body or filter; a malformed one is a problem with that field."""
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationFailed(message, {field: [message]}) from exc


def page_of(queryset: QuerySet[M], params: PageParams) -> tuple[list[M], int]:
    """One page of `queryset` and the count of all its records."""
    start = (params.page - 1) * params.page_size
    items = list(queryset[start : start + params.page_size])
    if params.page == 1 and len(items) < params.page_size:
        return items, len(items)  # the whole list is on this page: no count query needed
    return items, queryset.count()


def record_views(actor: User, shown: Iterable[tuple[uuid.UUID | None, models.Model]], *, what: str) -> None:
    """One view audit event per client whose data a response shows, written in a single insert.

    Each event is what keyworker.audit.services.client_viewed writes for one client.
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
            occurred_at=now, actor=actor, action=AuditAction.VIEW, object_type=obj._meta.label_lower,
            object_id=str(obj.pk), client_id=client_id, source_ip=source.ip, user_agent=source.user_agent,
            detail={"what": what},
        )
        for client_id, obj in first_per_client.items()
    )
