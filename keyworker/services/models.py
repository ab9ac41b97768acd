"""Partner services and what caseworkers do with them: the services directory, referrals out to a service,
signposting someone who is not a client, and courses (cohorts, sessions, enrolment, attendance, waiting
list). Venues carry the postcode and borough that safety-aware booking checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.casework.models import Case
from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class ServiceCategory(models.TextChoices):
    DRUGS_ALCOHOL = "drugs_alcohol", "Drug and alcohol"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    HOUSING = "housing", "Housing"
    LEGAL = "legal", "Legal advice"
    MENTAL_HEALTH = "mental_health", "Mental health"
    EMPLOYMENT_TRAINING = "employment_training", "Employment and training"
    BENEFITS = "benefits", "Benefits and money"
    FAMILY = "family", "Family"
    OTHER = "other", "Other"


class ReferralMethod(models.TextChoices):
    SELF = "self", "Self-referral (the person contacts them)"
    FORM = "form", "Professional referral form"
    EMAIL = "email", "By e-mail"
    PHONE = "phone", "By phone"
    ONLINE = "online", "Online"


class Organisation(BaseModel):
    """A partner organisation (a charity, an NHS trust, a council team) that runs services."""

    name = models.CharField(max_length=150, unique=True)
    website = models.URLField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(BaseModel):
    """One service a partner runs, as a caseworker needs it: who it is for, how to reach it, how to refer."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=24, choices=ServiceCategory.choices)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    contact_notes = models.TextField(blank=True, help_text="Other ways in: walk-in times, text line, web chat.")
    opening_hours = models.CharField(max_length=200, blank=True)
    criteria = models.TextField(blank=True, help_text="Who it is for: age, gender, area, need.")
    referral_method = models.CharField(max_length=10, choices=ReferralMethod.choices, default=ReferralMethod.FORM)
    area_covered = models.CharField(max_length=200, blank=True, help_text='Boroughs, or "National".')
    is_national = models.BooleanField(default=False)
    is_helpline = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="service_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class Venue(BaseModel):
    """Where a course or session happens. The postcode district and borough are what safety checks read."""

    name = models.CharField(max_length=150)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    borough = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["name", "postcode"], name="venue_unique")]

    def __str__(self) -> str:
        return self.name


# --- referrals out -----------------------------------------------------------------------------------------------


class OutboundStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    FIRST_APPOINTMENT = "first_appointment", "First appointment booked"
    ATTENDED = "attended", "Attended"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Where a referral out has ended: no more follow-ups.
ENDED_OUTBOUND_STATUSES = frozenset({OutboundStatus.DECLINED, OutboundStatus.COMPLETED, OutboundStatus.WITHDRAWN})


class OutboundOutcome(models.TextChoices):
    ACHIEVED = "achieved", "Achieved"
    PARTLY = "partly", "Partly achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class OutboundReferral(BaseModel):
    """A referral of a client to a partner service. Sending it shares information, so it needs a consent or
    lawful basis (intake.selectors.client_sharing_permitted) and writes the client's disclosure log."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="outbound_referrals")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="outbound_referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    reason = models.TextField()
    shared = models.TextField(blank=True, help_text="What information is shared with the service.")
    basis = models.CharField(max_length=300, blank=True, help_text="The consent or lawful basis, when sent.")
    sharing_agreement = models.ForeignKey(
        "privacy.SharingAgreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="referrals",
        help_text="The information-sharing agreement with this partner, if there is one.",
    )
    status = models.CharField(max_length=20, choices=OutboundStatus.choices, default=OutboundStatus.DRAFT)
    sent_on = models.DateField(null=True, blank=True)
    follow_up_on = models.DateField(null=True, blank=True)
    first_appointment_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True, help_text="Why it was declined or withdrawn.")
    outcome = models.CharField(max_length=16, choices=OutboundOutcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    ended_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["client", "-created_at"]),
            models.Index(fields=["made_by", "follow_up_on"]),
        ]

    def __str__(self) -> str:
        return f"Referral to {self.service}"

    @property
    def has_ended(self) -> bool:
        return self.status in ENDED_OUTBOUND_STATUSES


class OutboundReferralUpdate(BaseModel):
    """A dated step in a referral's life: the status it moved to, when, and a note."""

    referral = models.ForeignKey(OutboundReferral, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=20, choices=OutboundStatus.choices)
    occurred_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["occurred_on", "created_at"]


# --- signposting ------------------------------------------------------------------------------------------------


class SignpostingMethod(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    TEXT = "text", "By text"
    LEAFLET = "leaflet", "Leaflet or card"


class Signposting(BaseModel):
    """Information about a service given to someone who is not a client (a partner, a parent, a friend).
    The least personal data possible: no name needed, never linked to a client's file. Seen only by the
    worker who gave it and the safeguarding lead."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="signpostings")
    given_on = models.DateField()
    given_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signpostings")
    method = models.CharField(max_length=12, choices=SignpostingMethod.choices, default=SignpostingMethod.IN_PERSON)
    who = models.CharField(max_length=100, blank=True, help_text='A description, not a name: "a young woman".')
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]
        indexes = [models.Index(fields=["given_by", "-given_on"])]

    def __str__(self) -> str:
        return f"Signposted to {self.service} on {self.given_on:%d %b %Y}"


# --- courses ----------------------------------------------------------------------------------------------------


class Course(BaseModel):
    """A course or programme: the charity's own (no provider) or a partner's."""

    title = models.CharField(max_length=150)
    provider = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="courses"
    )
    description = models.TextField(blank=True)
    qualification = models.CharField(max_length=150, blank=True, help_text="What completing it gains, if anything.")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["title", "provider"], name="course_unique_title")]

    def __str__(self) -> str:
        return self.title


class Cohort(BaseModel):
    """One run of a course: where, when, how many places."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="cohorts")
    name = models.CharField(max_length=100)
    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="cohorts")
    starts_on = models.DateField()
    ends_on = models.DateField()
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")), name="cohort_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.course}: {self.name}"


class CourseSession(BaseModel):
    """One session of a cohort, at the cohort's venue unless it says otherwise."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    venue = models.ForeignKey(Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after")
        ]


class EnrolmentStatus(models.TextChoices):
    WAITING = "waiting", "On the waiting list"
    ENROLLED = "enrolled", "Enrolled"
    COMPLETED = "completed", "Completed"
    LEFT = "left", "Left before the end"
    WITHDRAWN = "withdrawn", "Withdrawn"


# Enrolments that hold a place on the cohort.
PLACE_HOLDING_STATUSES = frozenset({EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED})


class Enrolment(BaseModel):
    """A client on a cohort, or waiting for a place on it. A booking the safety check warned about keeps the
    reason the worker gave for going ahead."""

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=12, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ENROLLED)
    waiting_since = models.DateTimeField(null=True, blank=True)
    enrolled_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    qualification_gained = models.CharField(max_length=150, blank=True)
    safety_override_reason = models.TextField(blank=True)
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["cohort", "created_at"]
        constraints = [models.UniqueConstraint(fields=["cohort", "client"], name="enrolment_once_per_cohort")]

    def __str__(self) -> str:
        return f"{self.client_id} on {self.cohort}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    LATE = "late", "Late"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Absent with a reason"


class SessionAttendance(BaseModel):
    session = models.ForeignKey(CourseSession, on_delete=models.PROTECT, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "enrolment"], name="attendance_once")]
