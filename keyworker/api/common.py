"""Helpers the endpoints share: who is asking, record ids from paths, pages, and view audit events."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from keyworker.accounts.models import User
from keyworker.api.schemas import PageParams
from keyworker.audit.services import clients_viewed as record_views  # noqa: F401
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


def reference_id(value: str | None, *, field: str, detail: str, message: str) -> uuid.UUID | None:
    """A record id given in a request body; a malformed one is a problem with that field."""
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationFailed(detail, {field: [message]}) from exc


def page_of(queryset: QuerySet[M], params: PageParams) -> tuple[list[M], int]:
    """One page of `queryset` and the count of all its records."""
    start = (params.page - 1) * params.page_size
    items = list(queryset[start : start + params.page_size])
    if params.page == 1 and len(items) < params.page_size:
        return items, len(items)  # the whole list is on this page: no count query needed
    return items, queryset.count()
