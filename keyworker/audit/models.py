"""Append-only audit events: who did what to which record, when, from where and under which role.

The log is append-only three times over:
- in Python: `AuditEvent.save()` refuses changes, `delete()` refuses, and the default manager's
  `update()`/`delete()`/`bulk_update()` raise `AppendOnlyError`;
- in the database: triggers reject UPDATE and DELETE (and TRUNCATE on PostgreSQL), migration 0004;
- by proof: each event carries a SHA-256 hash over its own fields and the previous event's hash, in one
  gapless `sequence`, so `keyworker audit verify` finds any altered, removed or inserted event.

Events hold ids, actions and field NAMES only, never the personal data itself.

Beware (SQLite): a migration that alters this table makes SQLite rebuild it, which silently drops the
append-only triggers. `tests/test_append_only.py` fails if the migrated database lacks them; re-create them
in the same migration (see migration 0004) if you must alter the table.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import uuid_utils.compat
from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    DELETE = "delete", "Removed"  # under a retention policy (privacy/retention); nothing else deletes records
    SEARCH = "search", "Searched"
    EXPORT = "export", "Exported"
    DENIED = "denied", "Refused access"
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
    SIGN_OUT = "sign_out", "Signed out"


GENESIS_HASH = "0" * 64  # the `previous_hash` of the first event


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk changes are refused before they reach the database (whose triggers would refuse them too)."""

    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Audit events cannot be deleted.")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AppendOnlyError("Audit events cannot be changed.")

    def update_or_create(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit events cannot be changed.")


def new_event_id() -> uuid.UUID:
    """A time-ordered id (UUIDv7): each new event's key lands at the right-hand end of the primary-key index
    instead of on a random page of it, which on a log of millions of events halves what an insert writes
    (docs/decisions/0041)."""
    return uuid_utils.compat.uuid7()


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=new_event_id, editable=False)
    # Position in the one chain of events: 1, 2, 3 … with no gaps (written under a lock, see services).
    sequence = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    # No index of its own: the (actor, occurred_at) index below serves every look-up by actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # The actor's role when it happened (roles change; the trail must say under which one they acted).
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    # The person the record is about, so "who viewed this client" is one indexed query.
    # A plain UUID (not a foreign key) so the trail outlives erasure of the client.
    client_id = models.UUIDField(null=True, blank=True)
    # Access that came only from a break-glass grant (an on-call worker opening someone else's client).
    break_glass = models.BooleanField(default=False)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    # Not unique and not indexed: the chain's order is `sequence` (unique) and verify_chain recomputes every
    # hash, so an index here only cost each insert two random page writes (docs/decisions/0041).
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[AuditEvent]] = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["client_id", "-occurred_at"]), models.Index(fields=["actor", "-occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.actor_id} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit events cannot be deleted.")
