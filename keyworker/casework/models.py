"""Cases (episodes of support), the contact log with its append-only notes, and tasks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class Programme(models.TextChoices):
    GANG_EXIT = "gang_exit", "Gang exit"
    RESETTLEMENT = "resettlement", "Resettlement (through the gate)"
    YOUNG_PEOPLE = "young_people", "Young people"
    WOMEN_AND_GIRLS = "women_and_girls", "Women and girls"
    PEER_MENTORING = "peer_mentoring", "Peer mentoring"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    ON_HOLD = "on_hold", "On hold"
    CLOSED = "closed", "Closed"


class ClosureReason(models.TextChoices):
    GOALS_MET = "goals_met", "Goals met"
    DISENGAGED = "disengaged", "Stopped engaging"
    MOVED_AWAY = "moved_away", "Moved away"
    RETURNED_TO_CUSTODY = "returned_to_custody", "Returned to custody"
    TRANSFERRED = "transferred", "Transferred to another service"
    DIED = "died", "Died"
    OTHER = "other", "Other"


class Pathway(models.TextChoices):
    """The seven resettlement pathways."""

    ACCOMMODATION = "accommodation", "Accommodation"
    ETE = "ete", "Education, training and employment"
    HEALTH = "health", "Health"
    DRUGS_ALCOHOL = "drugs_alcohol", "Drugs and alcohol"
    FINANCE = "finance", "Finance, benefit and debt"
    FAMILY = "family", "Children and families"
    ATTITUDES = "attitudes", "Attitudes, thinking and behaviour"


class Case(BaseModel):
    """One episode of support for a client."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(max_length=20, unique=True)
    programme = models.CharField(max_length=32, choices=Programme.choices)
    status = models.CharField(max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=32, choices=ClosureReason.choices, blank=True)
    closure_note = models.TextField(blank=True)
    keyworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="caseload"
    )
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")

    class Meta:
        ordering = ["-opened_on"]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["keyworker", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ContactKind(models.TextChoices):
    OFFICE = "office", "Office meeting"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    HOME_VISIT = "home_visit", "Home visit"
    PRISON_VISIT = "prison_visit", "Prison visit"
    COURT = "court", "Court"
    GATE = "gate", "Meet at the gate"
    CRISIS_CALL = "crisis_call", "Crisis call"
    MENTORING = "mentoring", "Mentoring session"
    OTHER = "other", "Other"


class Contact(BaseModel):
    """An entry in the contact log. Its note never changes: corrections are amendments."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="contacts")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="contacts")
    kind = models.CharField(max_length=20, choices=ContactKind.choices)
    occurred_at = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    note = models.TextField()
    pathways = models.JSONField(default=list, blank=True)
    is_sensitive = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["client", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_at:%d %b %Y}"


class ContactAmendment(BaseModel):
    """A correction to a contact's note. The original stays; amendments are shown beneath it."""

    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="amendments")
    text = models.TextField()
    reason = models.CharField(max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]


class Task(BaseModel):
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    due_on = models.DateField()
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_on"]
        indexes = [models.Index(fields=["owner", "completed_at", "due_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.completed_at is not None
