"""Appointments: the dates a caseworker must not miss, including gate releases and court hearings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class AppointmentKind(models.TextChoices):
    OFFICE = "office", "Office appointment"
    HOME_VISIT = "home_visit", "Home visit"
    PRISON_VISIT_SOCIAL = "prison_social", "Prison visit (social)"
    PRISON_VISIT_LEGAL = "prison_legal", "Prison visit (professional)"
    COURT = "court", "Court hearing"
    GATE = "gate", "Meet at the gate (release)"
    COURSE = "course", "Course session"
    PHONE = "phone", "Phone call"


# Kinds that are fixed dates set by others (a prison, a court): shown as key dates on My week.
KEY_DATE_KINDS = frozenset({AppointmentKind.COURT, AppointmentKind.GATE})


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ATTENDED = "attended", "Attended"
    LATE = "late", "Late"
    DID_NOT_ATTEND = "dna", "Did not attend"
    CANCELLED = "cancelled", "Cancelled"


class Appointment(BaseModel):
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=16, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["staff", "starts_at"]), models.Index(fields=["client", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gte=models.F("starts_at")), name="appt_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%d %b %H:%M}"

    @property
    def is_key_date(self) -> bool:
        return self.kind in KEY_DATE_KINDS
