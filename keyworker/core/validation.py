from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models

from keyworker.core.errors import ValidationFailed

M = TypeVar("M", bound=models.Model)


def check_field_values(instance: models.Model, *, skip: Iterable[str] = ()) -> None:
    """Field-level checks (lengths, choices, formats) before a save, as a ValidationFailed with messages by
    field. Relations are skipped: the services have already fetched them through the access policy."""
    relations = [f.name for f in instance._meta.get_fields() if f.is_relation]
    try:
        instance.clean_fields(exclude=[*relations, *skip])
    except ValidationError as exc:
        raise ValidationFailed("There is a problem with what was entered.", exc.message_dict) from exc


def create_checked(model: type[M], **fields: object) -> M:
    """Insert a row after its field-level checks pass (so over-long text is a clear message on every
    database, not a silent truncation on SQLite and an error on PostgreSQL)."""
    instance = model(**fields)
    check_field_values(instance)
    instance.save(force_insert=True)
    return instance


def required_text(problems: dict[str, list[str]], field: str, value: str, message: str, max_length: int) -> str:
    """A required free-text answer, stripped: records `message` (or a length message) under `field` in
    `problems` when it is missing or too long, and returns the tidied value."""
    value = value.strip()
    if not value:
        problems[field] = [message]
    elif len(value) > max_length:
        problems[field] = [f"Keep it to {max_length} characters."]
    return value
