"""Optimistic locking: an update succeeds only if the row still has the version the editor read."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone

from keyworker.core.errors import ConcurrentEdit
from keyworker.core.models import BaseModel


def save_if_unchanged(instance: BaseModel, *, expected_version: int, fields: list[str]) -> None:
    """Write `fields` of `instance` only if its row is still at `expected_version`; bump the version."""
    values: dict[str, Any] = {name: getattr(instance, name) for name in fields}
    values["updated_at"] = timezone.now()
    updated = (
        type(instance)
        ._default_manager.filter(pk=instance.pk, version=expected_version)
        .update(version=F("version") + 1, **values)
    )
    if updated != 1:
        raise ConcurrentEdit()
    instance.version = expected_version + 1
    instance.updated_at = values["updated_at"]
