"""Safeguarding: who may not see a client (restrictions, exclusions) and out-of-hours break-glass access.

Concerns, risk reviews, DASH, MARAC, safety plans and crisis calls arrive with issue 7.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class AccessRuleKind(models.TextChoices):
    RESTRICTION = "restriction", "Restriction (only the named staff may open the record)"
    EXCLUSION = "exclusion", "Exclusion (the named staff may never open the record)"


class AccessRule(BaseModel):
    """A restriction or an exclusion on a client's records, from a date, until a date or until lifted.

    It applies to the person, not to one case: hiding one episode while showing their other records
    would still reveal them (docs/decisions/0009).
    """

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="access_rules")
    kind = models.CharField(max_length=16, choices=AccessRuleKind.choices)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    reason = models.TextField(help_text="Why: kept for the record, shown to managers.")
    message = models.CharField(max_length=300, blank=True, help_text="Shown to the named staff who open the record.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["client", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.client_id}"


class BreakGlassGrant(BaseModel):
    """Out-of-hours access to one client by an on-call worker, for a limited time, with a reason."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass_grants")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="break_glass_grants")
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "client", "expires_at"])]

    def __str__(self) -> str:
        return f"Break-glass {self.user_id} -> {self.client_id}"


class AreaConcernSource(models.TextChoices):
    STAFF = "staff", "Staff observation"
    CLIENT = "client", "Told by a client (not named here)"
    COMMUNITY = "community", "Community or family member"
    SCHOOL = "school", "School or college"
    POLICE = "police", "Police"
    PARTNER = "partner", "Partner agency"
    OTHER = "other", "Other"


class AreaConcern(BaseModel):
    """Area-level intelligence that names nobody ("a new group is forming around the estate"): dated, with
    its source, reviewed on a schedule and expiring after a set time (docs/decisions/0016)."""

    area = models.CharField(max_length=120, help_text="Borough, estate, postcode district or landmark.")
    summary = models.TextField()
    source = models.CharField(max_length=16, choices=AreaConcernSource.choices)
    reported_on = models.DateField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review_by = models.DateField()
    expires_on = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    last_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-reported_on"]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self) -> str:
        return f"{self.area}: {self.summary[:40]}"


# --- the safety profile (issue 6): unsafe areas and people to keep apart --------------------------------------


class AreaKind(models.TextChoices):
    BOROUGH = "borough", "Borough"
    POSTCODE_DISTRICT = "postcode_district", "Postcode district"


class UnsafeArea(BaseModel):
    """An area that is unsafe for a client (a borough, or a postcode district like SE15), with why and where
    that came from. No labels, no group names: only where they should not be sent."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="unsafe_areas")
    kind = models.CharField(max_length=20, choices=AreaKind.choices)
    area = models.CharField(max_length=60, help_text="Stored normalised: a borough's name, or an outward postcode.")
    reason = models.TextField()
    source = models.CharField(max_length=200, help_text="Who said so, e.g. the client, police, a partner.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["area"]
        indexes = [models.Index(fields=["client", "ended_on"])]

    def __str__(self) -> str:
        return self.area


class KeepApart(BaseModel):
    """Two clients who must not be booked together, recorded once as a pair (the lower id first) with the
    reason and its source. Seen only by staff who can see both people."""

    client_a = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    client_b = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    source = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(client_a__lt=models.F("client_b")), name="keep_apart_ordered"),
            models.UniqueConstraint(
                fields=["client_a", "client_b"], condition=models.Q(ended_on__isnull=True), name="keep_apart_once"
            ),
        ]
        indexes = [models.Index(fields=["client_b"])]
