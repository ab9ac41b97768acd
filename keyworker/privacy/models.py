"""Privacy: the disclosure log (what about a person left Keyworker, to whom, when, by whom, on which basis).
The subject access record is built from every app's models in subject_access.py (no model of its own yet);
subject access requests, retention and sharing agreements arrive with issue 10."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class Disclosure(BaseModel):
    """One time information about a client left Keyworker. Written by the feature that shares (a referral to a
    service today; MARAC and NRM forms, letters, exports later) in the same transaction as the sharing."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    what = models.TextField(help_text="What was shared, as the worker described it.")
    recipient = models.CharField(max_length=200, help_text="Who it went to: the organisation and service.")
    basis = models.CharField(max_length=300, help_text="The consent or lawful basis it was shared on.")
    disclosed_at = models.DateTimeField()
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The record that did the sharing (e.g. "services.outboundreferral" and its id), for the trail.
    source_type = models.CharField(max_length=60)
    source_id = models.UUIDField()

    class Meta:
        ordering = ["-disclosed_at"]
        indexes = [models.Index(fields=["client", "-disclosed_at"])]

    def __str__(self) -> str:
        return f"To {self.recipient} on {self.disclosed_at:%d %b %Y}"
