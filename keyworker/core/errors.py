"""Errors shared by every app. Views and the API turn each into a clear message; none changes anything."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.db.models import Model, QuerySet

M = TypeVar("M", bound="Model")


class KeyworkerError(Exception):
    """Base for errors a user can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(KeyworkerError):
    """The record does not exist, or exists outside the user's reach: the two are indistinguishable."""

    def __init__(self, message: str = "Not found."):
        super().__init__(message)


class ValidationFailed(KeyworkerError):
    """Bad input. Carries per-field messages where they are known."""

    def __init__(self, message: str, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.field_errors = field_errors or {}


class ConcurrentEdit(KeyworkerError):
    """Someone else changed the record after it was read; the save was refused.

    `current` is the record as it is saved now (read after the refusal), when the code that refused knows it:
    pages show its values beside the editor's own and the API returns it, each with its `version`, so the editor
    can compare and then deliberately save over it (decisions/0039)."""

    def __init__(self, message: str = "Someone else changed this record while you were editing it. "
                 "Your change was not saved; reload to see theirs.", *, current: Model | None = None):
        super().__init__(message)
        self.current = current

    @property
    def version(self) -> int | None:
        """The version to send back to save over the other person's change, when the current record is known."""
        version = getattr(self.current, "version", None)
        return version if isinstance(version, int) else None


class NotAllowed(KeyworkerError):
    """The user may see the record but not do this to it."""


def one_or_not_found(queryset: QuerySet[M], **lookup: Any) -> M:
    """The one record of `queryset` matching `lookup`, else NotFound. A malformed id is simply not found:
    selectors pass ids straight from URLs and request bodies."""
    from django.core.exceptions import ObjectDoesNotExist, ValidationError

    try:
        return queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise NotFound() from exc


def id_or_not_found(value: Any) -> uuid.UUID:
    """A record id from a URL or a request body as a UUID, else NotFound (for a lookup built before the query
    runs, where one_or_not_found could not catch a malformed id)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError) as exc:
        raise NotFound() from exc


class SafetyCheckFailed(ValidationFailed):
    """A booking the safety check warns about (an unsafe area, someone to keep apart), sent without a reason to
    go ahead. `warnings` are safe to show to the person booking: none names anyone they cannot see. The
    same booking with a reason (`safety_override_reason`) is saved, and the reason kept with it."""

    def __init__(self, warnings: list[str]):
        super().__init__(
            "Check before booking: " + " ".join(warnings) + " Give a reason to go ahead, or choose another.",
            {"safety_override_reason": ["Give a reason to go ahead, or change the booking."]},
        )
        self.warnings = warnings
