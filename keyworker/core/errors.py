"""Errors shared by every app. Views and the API turn each into a clear message; none changes anything."""

from __future__ import annotations


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
    """Someone else changed the record after it was read; the save was refused."""

    def __init__(self, message: str = "Someone else changed this record while you were editing it. "
                 "Your change was not saved; reload to see theirs."):
        super().__init__(message)


class NotAllowed(KeyworkerError):
    """The user may see the record but not do this to it."""
