"""The base every Keyworker record shares: UUID keys, timestamps and a version for optimistic locking."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped on every change; a save that expected an older version is a concurrent edit.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Sequence(models.Model):
    """Named counters for human-friendly references (KW-000123), taken under a row lock."""

    name = models.CharField(max_length=40, primary_key=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Notification(BaseModel):
    """A message to one member of staff in the app (and, where it matters, by e-mail too)."""

    recipient = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="notifications")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject
