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
    RESCHEDULED = "rescheduled", "Rescheduled"


# Statuses an appointment can no longer leave (a rescheduled one points at its replacement instead).
FINISHED_STATUSES = frozenset(
    {
        AppointmentStatus.ATTENDED,
        AppointmentStatus.LATE,
        AppointmentStatus.DID_NOT_ATTEND,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.RESCHEDULED,
    }
)


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
    # A prison or court from the directory, when the appointment is at one (visits, hearings, the gate).
    establishment = models.ForeignKey(
        "custody.Establishment", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    # A venue from the services directory (a course room, a youth centre): its area is safety-checked.
    venue = models.ForeignKey("services.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Appointments booked together (several clients at one prison on one day) share a group: one row per
    # client, so each client's record, status, outcome and access rules stay their own.
    group = models.UUIDField(null=True, blank=True, db_index=True)
    # What the appointment is for, when it is tied to a custody record: meeting a release at the gate, or
    # attending a hearing.
    custody_episode = models.ForeignKey(
        "custody.CustodyEpisode", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    hearing = models.ForeignKey(
        "custody.Hearing", null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    rescheduled_to = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="rescheduled_from"
    )
    # The outcome note, written to the client's timeline as a contact.
    outcome_contact = models.OneToOneField(
        "casework.Contact", null=True, blank=True, on_delete=models.PROTECT, related_name="appointment"
    )
    # Why the worker went ahead when the safety check warned (unsafe area, someone to keep apart).
    safety_override_reason = models.TextField(blank=True)

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


class LoneWorkingStatus(models.TextChoices):
    ON_VISIT = "on_visit", "On the visit"
    CHECKED_OUT = "checked_out", "Checked out safely"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"


class LoneWorkingVisit(BaseModel):
    """A worker alone at a visit: where, with whom, when they expect to be out, and who is watching for them.
    A missed check-out escalates (buddy, then manager); "I need help" goes to the top at once."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lone_working_visits")
    buddy = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lone_working_buddying")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="lone_working_visits"
    )
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="lone_working_visits"
    )
    place = models.CharField(max_length=300, help_text="The address of the visit.")
    with_whom = models.CharField(max_length=200, blank=True, help_text="Who will be there.")
    checked_in_at = models.DateTimeField()
    expected_end = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    help_requested_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=LoneWorkingStatus.choices, default=LoneWorkingStatus.ON_VISIT)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-checked_in_at"]
        indexes = [models.Index(fields=["status", "expected_end"]), models.Index(fields=["staff", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expected_end__gt=models.F("checked_in_at")), name="lone_working_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Visit from {self.checked_in_at:%d %b %H:%M}"


class EscalationLevel(models.TextChoices):
    BUDDY = "buddy", "Buddy alerted"
    MANAGER = "manager", "Manager alerted"
    HELP = "help", "Asked for help"


class LoneWorkingEscalation(BaseModel):
    """One rung of the ladder, raised once: the unique constraint makes the escalation job safe to repeat."""

    visit = models.ForeignKey(LoneWorkingVisit, on_delete=models.PROTECT, related_name="escalations")
    level = models.CharField(max_length=10, choices=EscalationLevel.choices)
    raised_at = models.DateTimeField()

    class Meta:
        ordering = ["raised_at"]
        constraints = [models.UniqueConstraint(fields=["visit", "level"], name="escalation_once_per_level")]


class ReminderKind(models.TextChoices):
    RELEASE_IN_7_DAYS = "release_7", "Release in 7 days"
    RELEASE_TOMORROW = "release_1", "Release tomorrow"
    HEARING_TOMORROW = "hearing_1", "Hearing tomorrow"
    TASK_OVERDUE = "task_overdue", "Task overdue"


class ReminderSent(BaseModel):
    """A reminder e-mail that went out, so a reminder run repeated the same day sends nothing twice."""

    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    object_id = models.UUIDField()
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    for_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "recipient", "for_date"], name="reminder_once")
        ]


class CalendarFeed(BaseModel):
    """A worker's private calendar address. Only a hash of its secret is kept; revoking it ends the address."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds")
    secret_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
