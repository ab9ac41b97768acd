"""Optimistic locking: an update succeeds only if the row still has the version the editor read.

A refusal carries the record as it is saved now (ConcurrentEdit.current), so pages and the API can show both
versions and the editor can save over the other person's change on purpose (decisions/0039)."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F, Model
from django.utils import timezone

from keyworker.core.errors import ConcurrentEdit
from keyworker.core.models import BaseModel

M = TypeVar("M", bound=Model)


def saved_now(instance: M) -> M | None:
    """A fresh copy of `instance`'s row as it is in the database now (None if it has gone).

    Read after a refusal, never the in-memory instance: a service has usually already set the editor's values
    on that one."""
    return type(instance)._default_manager.filter(pk=instance.pk).first()


def refuse_stale(instance: Model, *, message: str | None = None) -> ConcurrentEdit:
    """The ConcurrentEdit to raise for `instance`, carrying its saved row. `raise refuse_stale(obj)`."""
    current = saved_now(instance)
    if message is None:
        return ConcurrentEdit(current=current)
    return ConcurrentEdit(message, current=current)


def check_version(instance: BaseModel, *, expected_version: int) -> None:
    """Refuse unless `instance` (read in this transaction, ideally locked) is still at `expected_version`:
    for services that change several rows, or check before a save that is not save_if_unchanged."""
    if instance.version != expected_version:
        raise refuse_stale(instance)


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
        raise refuse_stale(instance)
    instance.version = expected_version + 1
    instance.updated_at = values["updated_at"]
