"""Outcomes (issue 8): outcome scales and readings (distance travelled), milestones with evidence and the
employment and accommodation spells they are computed from, peer mentors (a client's path to mentoring,
mentoring relationships and sessions), and letters drafted from recorded facts. Funder reports read these."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class Mentoring(BaseModel):
    """A peer mentor (a member of staff with the peer mentor role) supporting one client."""

    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentoring")
    mentee = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="mentored_by")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentor", "mentee"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_mentoring_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentor_id} mentors {self.mentee_id}"


# --- outcome scales and readings --------------------------------------------------------------------------------


class OutcomeScale(BaseModel):
    """A configurable scale: domains, each a ladder of steps, read every `reading_interval_days`. Keyworker ships
    its own default scale (migration 0003), in its own words: no licensed tool's wording is shipped or imitated."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    reading_interval_days = models.PositiveSmallIntegerField(default=91)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OutcomeDomain(BaseModel):
    scale = models.ForeignKey(OutcomeScale, on_delete=models.PROTECT, related_name="domains")
    key = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["scale", "order"]
        constraints = [models.UniqueConstraint(fields=["scale", "key"], name="domain_key_once_per_scale")]

    def __str__(self) -> str:
        return self.name


class OutcomeStep(BaseModel):
    """One rung of a domain's ladder: 1 is the lowest."""

    domain = models.ForeignKey(OutcomeDomain, on_delete=models.PROTECT, related_name="steps")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["domain", "value"]
        constraints = [models.UniqueConstraint(fields=["domain", "value"], name="step_value_once_per_domain")]

    def __str__(self) -> str:
        return f"{self.value}. {self.label}"


class OutcomeReading(BaseModel):
    """One sitting: the client's own view and the worker's view of each domain, kept apart (either may be left
    blank for a domain), with a note."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="outcome_readings")
    scale = models.ForeignKey(OutcomeScale, on_delete=models.PROTECT, related_name="readings")
    taken_on = models.DateField()
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-taken_on", "-created_at"]
        indexes = [models.Index(fields=["client", "scale", "-taken_on"])]

    def __str__(self) -> str:
        return f"Reading {self.taken_on}"


class ReadingScore(BaseModel):
    reading = models.ForeignKey(OutcomeReading, on_delete=models.CASCADE, related_name="scores")
    domain = models.ForeignKey(OutcomeDomain, on_delete=models.PROTECT, related_name="+")
    client_value = models.PositiveSmallIntegerField(null=True, blank=True)
    worker_value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["domain__order"]
        constraints = [models.UniqueConstraint(fields=["reading", "domain"], name="one_score_per_domain")]

    def __str__(self) -> str:
        return f"{self.domain_id}: {self.client_value}/{self.worker_value}"


# --- milestones ------------------------------------------------------------------------------------------------


class MilestoneKind(models.TextChoices):
    ENTERED_ETE = "entered_ete", "Entered education, training or employment"
    COMPLETED_COURSE = "completed_course", "Completed a course"
    QUALIFICATION = "qualification", "Gained a qualification"
    WORK_13_WEEKS = "work_13", "In work, sustained 13 weeks"
    WORK_26_WEEKS = "work_26", "In work, sustained 26 weeks"
    HOUSING_3_MONTHS = "housing_3", "Accommodation sustained 3 months"
    HOUSING_6_MONTHS = "housing_6", "Accommodation sustained 6 months"
    HOUSING_12_MONTHS = "housing_12", "Accommodation sustained 12 months"
    DRUG_FREE = "drug_free", "Drug-free"
    LEFT_GROUP = "left_group", "Left the group (self-declared)"
    NO_REOFFENDING_12_MONTHS = "no_reoffending_12", "No proven reoffending in 12 months"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "Document seen (contract, payslip, certificate, tenancy)"
    THIRD_PARTY = "third_party", "Confirmed by a third party (employer, landlord, tutor, probation)"
    TEST = "test", "Test result"
    SELF_REPORT = "self_report", "Self-report"
    RECORDS = "records", "Keyworker's own records (e.g. course attendance)"
    COMPUTED = "computed", "Worked out from dated checks"


class Milestone(BaseModel):
    """A milestone achieved, on a date, with its evidence and who recorded it. Sustained work and accommodation
    are computed (rules.py) from spells and their checks, never ticked by hand."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="milestones")
    kind = models.CharField(max_length=24, choices=MilestoneKind.choices)
    achieved_on = models.DateField()
    evidence_kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    evidence = models.TextField(help_text="What was seen or said, and by whom.")
    detail = models.CharField(max_length=200, blank=True, help_text="e.g. the course, the qualification, the job.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-achieved_on", "-created_at"]
        indexes = [models.Index(fields=["client", "kind"]), models.Index(fields=["kind", "achieved_on"])]

    def __str__(self) -> str:
        return self.get_kind_display()


class SpellKind(models.TextChoices):
    WORK = "work", "Work"
    ACCOMMODATION = "accommodation", "Accommodation"


class Spell(BaseModel):
    """A period in a job or a home, from its start, with dated checks that it is still going on."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="spells")
    kind = models.CharField(max_length=16, choices=SpellKind.choices)
    description = models.CharField(max_length=200, help_text="The employer and role, or the address kind.")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_on"]
        indexes = [models.Index(fields=["client", "kind"])]

    def __str__(self) -> str:
        return self.description


class SpellCheck(BaseModel):
    spell = models.ForeignKey(Spell, on_delete=models.CASCADE, related_name="checks")
    checked_on = models.DateField()
    still_going = models.BooleanField()
    evidence_kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    note = models.CharField(max_length=300, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["checked_on"]

    def __str__(self) -> str:
        return f"Checked {self.checked_on}"


class ProvenOffence(BaseModel):
    """A proven offence (a conviction or caution) with the date it was committed, for the reoffending measure.
    Allegations stay in custody.Charge until proven."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="proven_offences")
    offence_on = models.DateField()
    proven_on = models.DateField()
    description = models.CharField(max_length=200)
    source = models.CharField(max_length=200, help_text="e.g. court result, probation, PNC print via police.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-offence_on"]

    def __str__(self) -> str:
        return self.description


# --- peer mentors ----------------------------------------------------------------------------------------------


class MentorPathway(BaseModel):
    """A client on the way to becoming a peer mentor: interest, training, DBS check, supervision arranged; and,
    once they start, the staff account they mentor from."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="mentor_pathway")
    interest_on = models.DateField()
    training_completed_on = models.DateField(null=True, blank=True)
    dbs_checked_on = models.DateField(null=True, blank=True)
    dbs_certificate = models.CharField(max_length=20, blank=True, help_text="Certificate number.")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mentor_account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="mentor_pathway"
    )
    started_mentoring_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return "Mentor pathway"


class MentoringSession(BaseModel):
    """A session between a mentor and a mentee: when, how long, and a short note in a mentor's words (no
    offending, no risk, no safeguarding: those go to the keyworker)."""

    mentoring = models.ForeignKey(Mentoring, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Session {self.held_on}"


class MentorSupervision(BaseModel):
    pathway = models.ForeignKey(MentorPathway, on_delete=models.PROTECT, related_name="supervisions")
    held_on = models.DateField()
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"Supervision {self.held_on}"


# --- letters ---------------------------------------------------------------------------------------------------


class LetterKind(models.TextChoices):
    CHARACTER_REFERENCE = "character_reference", "Character reference for court"
    SUPPORT = "support", "Letter of support"


class LetterTemplate(BaseModel):
    """A letter's wording with {placeholders} filled from recorded facts; edited by managers."""

    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    name = models.CharField(max_length=120)
    body = models.TextField()
    is_active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class LetterStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final (saved as PDF)"


class Letter(BaseModel):
    """A letter about a client: drafted from a template and recorded facts, edited in the browser, then saved
    as a PDF kept with the letter (and shown on the client's timeline)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="letters")
    template = models.ForeignKey(LetterTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=LetterKind.choices)
    addressee = models.CharField(max_length=200, help_text="e.g. the court, by name.")
    body = models.TextField()
    status = models.CharField(max_length=8, choices=LetterStatus.choices, default=LetterStatus.DRAFT)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    finalised_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["client", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"


# --- funder reports and the Justice Data Lab --------------------------------------------------------------------


class ReportRunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being built"
    DONE = "done", "Ready"
    FAILED = "failed", "Failed"


class FunderReportRun(BaseModel):
    """One funder report asked for (a stream and a period), built by a background job. `result` holds the
    finished report's tables: aggregates only, small counts already suppressed, never a name or an id, so
    keeping it is safe and every download of it shows the same figures."""

    stream = models.ForeignKey("funding.FundingStream", on_delete=models.PROTECT, related_name="report_runs")
    since = models.DateField()
    until = models.DateField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=ReportRunStatus.choices, default=ReportRunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    step = models.CharField(max_length=120, blank=True, help_text="What the job is doing now, in words.")
    result = models.JSONField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(until__gte=models.F("since")), name="report_run_period_in_order"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_run_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.stream_id} {self.since} to {self.until} ({self.status})"


class JusticeDataLabExport(BaseModel):
    """A cohort file for the Ministry of Justice's Justice Data Lab, made by the data protection officer. The
    file itself is not kept (it holds names and dates of birth); this row, an audit event and one disclosure
    per person in it are the record that it left."""

    stream = models.ForeignKey("funding.FundingStream", on_delete=models.PROTECT, related_name="jdl_exports")
    since = models.DateField()
    until = models.DateField()
    people = models.PositiveIntegerField()
    exported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, help_text="Why, e.g. the data sharing agreement it is sent under.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"JDL export of {self.people} people"
