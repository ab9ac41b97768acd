"""Inbound referrals: who referred whom, when, why, how urgently, how to make safe contact, and each step
of the referral's life until the person becomes a client (or does not)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Gender


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referral"
    FAMILY = "family", "Family or friend"
    SCHOOL = "school", "School or college"
    YOUTH_OFFENDING_TEAM = "yot", "Youth offending team"
    PROBATION = "probation", "Probation"
    PRISON = "prison", "Prison"
    POLICE = "police", "Police"
    HOSPITAL = "hospital", "Hospital"
    CHARITY = "charity", "Another charity"
    OTHER = "other", "Other"


class Urgency(models.TextChoices):
    ROUTINE = "routine", "Routine"
    WITHIN_A_WEEK = "week", "Within a week"
    URGENT = "urgent", "Urgent: today"


class ReferralStatus(models.TextChoices):
    RECEIVED = "received", "Received"
    CONTACT_ATTEMPTED = "contact_attempted", "Contact attempted"
    ASSESSED = "assessed", "Assessed"
    ACCEPTED = "accepted", "Accepted"
    WAITING_LIST = "waiting_list", "Waiting list"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Referral(BaseModel):
    """One inbound referral. Personal data: every read and write is audited."""

    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Phone or e-mail.")
    received_at = models.DateTimeField()
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_SAID)
    phone = models.CharField(max_length=40, blank=True)
    home_area = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    # Safe-contact rules, as on Client (copied to the client when the referral is accepted).
    may_phone = models.BooleanField(default=True)
    may_text = models.BooleanField(default=True)
    may_leave_voicemail = models.BooleanField(default=False)
    may_write = models.BooleanField(default=False)
    code_word = models.CharField(max_length=60, blank=True)
    safe_contact_note = models.TextField(blank=True)

    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED)
    status_reason = models.TextField(blank=True, help_text="Why it was declined or withdrawn.")
    first_contact_at = models.DateTimeField(null=True, blank=True)
    client = models.ForeignKey(
        "people.Client", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals"
    )
    case = models.ForeignKey("casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["team", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(client__isnull=False, case__isnull=False),
                name="referral_accepted_has_client_and_case",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.full_name}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def display_name(self) -> str:
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name


class ReferralStep(BaseModel):
    """One dated step in a referral's life: the status it moved to, when, who, and a note."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="steps")
    status = models.CharField(max_length=20, choices=ReferralStatus.choices)
    occurred_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["occurred_at", "created_at"]
        indexes = [models.Index(fields=["referral", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_status_display()} at {self.occurred_at:%d %b %Y %H:%M}"
