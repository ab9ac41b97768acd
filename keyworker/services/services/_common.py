"""Helpers the directory, referral and signposting services share."""

from __future__ import annotations

from typing import Any

from keyworker.core.errors import ValidationFailed
from keyworker.core.validation import check_field_values
from keyworker.core.versioning import save_if_unchanged


def refuse(message: str, problems: dict[str, str]) -> None:
    if problems:
        raise ValidationFailed(message, {field: [text] for field, text in problems.items()})


def save_changes(instance: Any, expected_version: int, changes: dict[str, Any]) -> None:
    """Apply `changes` and save them if the row is still at `expected_version`; on a refusal the caller's
    instance is left as it was read."""
    before = {name: getattr(instance, name) for name in changes}
    for name, value in changes.items():
        setattr(instance, name, value)
    try:
        check_field_values(instance)
        save_if_unchanged(instance, expected_version=expected_version, fields=list(changes))
    except Exception:
        for name, value in before.items():
            setattr(instance, name, value)
        raise


def stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
