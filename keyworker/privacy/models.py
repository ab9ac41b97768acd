"""Privacy: the disclosure log (what about a person left Keyworker, to whom, when, by whom, on which basis).
The subject access record is built from every app's models in subject_access.py; the requests that ask for it,
the retention policies and their review queue, and the register of sharing agreements live here too."""

from __future__ import annotations

import datetime as dt

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
    sharing_agreement = models.ForeignKey(
        "privacy.SharingAgreement", null=True, blank=True, on_delete=models.PROTECT, related_name="disclosures"
    )

    class Meta:
        ordering = ["-disclosed_at"]
        indexes = [models.Index(fields=["client", "-disclosed_at"])]

    def __str__(self) -> str:
        return f"To {self.recipient} on {self.disclosed_at:%d %b %Y}"


class SharingAgreement(BaseModel):
    """An information-sharing agreement with a partner agency: the register a data protection officer keeps so
    that every referral and disclosure can say which agreement it was made under (issue 10)."""

    partner = models.CharField(max_length=200, help_text="The partner agency or agencies, as named in the agreement.")
    title = models.CharField(max_length=200)
    purpose = models.TextField(help_text="Why information is shared under it.")
    lawful_basis = models.CharField(
        max_length=300, help_text="The UK GDPR article 6 (and 9 or 10) conditions relied on."
    )
    data_shared = models.TextField(help_text="What kinds of information may be shared.")
    starts_on = models.DateField()
    review_on = models.DateField(help_text="When the agreement is next to be reviewed.")
    ends_on = models.DateField(null=True, blank=True)
    document_reference = models.CharField(
        max_length=300, blank=True, help_text="Where the signed agreement is kept (a reference, not the file)."
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["partner", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.partner})"

    def in_force_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


class SarStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    BUILDING = "building", "Building the record"
    READY = "ready", "Ready to check"
    FAILED = "failed", "Build failed"
    SENT = "sent", "Sent to the person"
    WITHDRAWN = "withdrawn", "Withdrawn"


class SubjectAccessRequest(BaseModel):
    """A person's request to see what Keyworker holds about them. The data protection officer records it; the
    deadline is one calendar month from receipt, extendable by up to two further months for a complex request
    (UK GDPR art. 12(3)). The built record (JSON and PDF) is kept here until retention removes it."""

    client = models.ForeignKey(
        Client, null=True, on_delete=models.SET_NULL, related_name="subject_access_requests"
    )  # null once the person's record has been removed under retention
    received_on = models.DateField()
    how_received = models.CharField(max_length=200, help_text="How the request came in, e.g. by letter, in person.")
    identity_checked = models.CharField(
        max_length=300, blank=True, help_text="How the requester's identity was checked."
    )
    due_on = models.DateField()
    extended_to = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=SarStatus.choices, default=SarStatus.RECEIVED)
    progress = models.PositiveSmallIntegerField(default=0)  # percent, while building
    step = models.CharField(max_length=200, blank=True)  # what the build is doing now
    built_at = models.DateTimeField(null=True, blank=True)
    export_json = models.BinaryField(null=True, blank=True, editable=False)
    export_pdf = models.BinaryField(null=True, blank=True, editable=False)
    withheld = models.JSONField(default=list, blank=True)  # the export's "withheld" list, for the officer's check
    error = models.TextField(blank=True)
    sent_on = models.DateField(null=True, blank=True)
    sent_how = models.CharField(max_length=200, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_on", "-created_at"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"Subject access request received {self.received_on:%d %b %Y}"

    @property
    def deadline(self) -> dt.date:
        return self.extended_to or self.due_on


class RetentionAction(models.TextChoices):
    DELETE = "delete", "Delete"
    ANONYMISE = "anonymise", "Anonymise"


class RetentionPolicy(BaseModel):
    """How long one kind of record is kept, and what happens then. The kinds are fixed in code
    (privacy/retention.py says how each is found and removed); the periods are the charity's to set."""

    kind = models.CharField(max_length=40, unique=True)
    period_months = models.PositiveSmallIntegerField()
    action = models.CharField(max_length=20, choices=RetentionAction.choices, default=RetentionAction.DELETE)
    needs_review = models.BooleanField(
        default=True, help_text="Whether the data protection officer approves each removal (else it is automatic)."
    )
    note = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.period_months} months"


class RetentionStatus(models.TextChoices):
    DUE = "due", "Due for review"
    APPROVED = "approved", "Approved for removal"
    HELD = "held", "Kept for now"
    DONE = "done", "Removed"


class RetentionReview(BaseModel):
    """One record whose retention period has run out: the data protection officer's queue, and afterwards the
    line that says it was removed. It holds no personal data: the kind, the record's id, dates and who decided.
    What the record was is read from the record itself while it still exists."""

    kind = models.CharField(max_length=40)
    object_id = models.UUIDField()
    expired_on = models.DateField(help_text="When the retention period ran out.")
    status = models.CharField(max_length=20, choices=RetentionStatus.choices, default=RetentionStatus.DUE)
    action = models.CharField(max_length=20, choices=RetentionAction.choices, default=RetentionAction.DELETE)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    hold_until = models.DateField(null=True, blank=True)
    hold_reason = models.TextField(blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    rows_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["expired_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="retention_review_once")]
        indexes = [models.Index(fields=["status", "expired_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.get_status_display()})"
