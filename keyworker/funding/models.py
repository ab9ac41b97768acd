"""Funders, funding streams and their eligibility rules (data, edited by managers), allocations of cases to
streams, unfunded work (approved by a manager) and the waiting list."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.funding.rules import Kind
from keyworker.outcomes.models import MilestoneKind


class Funder(BaseModel):
    name = models.CharField(max_length=200, unique=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FundingStream(BaseModel):
    """A restricted grant: a funder, a period, a number of places, targets, and eligibility rules."""

    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="streams")
    name = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    places = models.PositiveIntegerField(help_text="How many people the stream funds at once.")
    targets = models.TextField(blank=True, help_text="What the funder expects, in words.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["funder__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["funder", "name"], name="funding_stream_unique_name"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="funding_stream_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.funder.name}: {self.name}"


class TargetMeasure(models.TextChoices):
    """What a funder's target counts: people referred or engaged, or people achieving a milestone (the
    milestone kinds' own values, so a report matches them without a lookup)."""

    REFERRED = "referred", "People referred"
    ENGAGED = "engaged", "People engaged"
    ENTERED_ETE = MilestoneKind.ENTERED_ETE.value, MilestoneKind.ENTERED_ETE.label
    COMPLETED_COURSE = MilestoneKind.COMPLETED_COURSE.value, MilestoneKind.COMPLETED_COURSE.label
    QUALIFICATION = MilestoneKind.QUALIFICATION.value, MilestoneKind.QUALIFICATION.label
    WORK_13_WEEKS = MilestoneKind.WORK_13_WEEKS.value, MilestoneKind.WORK_13_WEEKS.label
    WORK_26_WEEKS = MilestoneKind.WORK_26_WEEKS.value, MilestoneKind.WORK_26_WEEKS.label
    HOUSING_3_MONTHS = MilestoneKind.HOUSING_3_MONTHS.value, MilestoneKind.HOUSING_3_MONTHS.label
    HOUSING_6_MONTHS = MilestoneKind.HOUSING_6_MONTHS.value, MilestoneKind.HOUSING_6_MONTHS.label
    HOUSING_12_MONTHS = MilestoneKind.HOUSING_12_MONTHS.value, MilestoneKind.HOUSING_12_MONTHS.label
    DRUG_FREE = MilestoneKind.DRUG_FREE.value, MilestoneKind.DRUG_FREE.label
    LEFT_GROUP = MilestoneKind.LEFT_GROUP.value, MilestoneKind.LEFT_GROUP.label
    NO_REOFFENDING_12_MONTHS = (
        MilestoneKind.NO_REOFFENDING_12_MONTHS.value,
        MilestoneKind.NO_REOFFENDING_12_MONTHS.label,
    )


class StreamTarget(BaseModel):
    """A number the funder expects over the whole stream (e.g. 20 people into education, training or work),
    set by a manager. The funder report sets what was achieved against it."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="target_figures")
    measure = models.CharField(max_length=24, choices=TargetMeasure.choices)
    target = models.PositiveIntegerField()
    note = models.CharField(max_length=200, blank=True, help_text="The funder's own wording, if it helps.")

    class Meta:
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["stream", "measure"], name="stream_target_one_per_measure")]

    def __str__(self) -> str:
        return f"{self.get_measure_display()}: {self.target}"


class RuleKind(models.TextChoices):
    AGE_RANGE = Kind.AGE_RANGE, "Age range"
    GENDER = Kind.GENDER, "Gender"
    HOME_AREA = Kind.HOME_AREA, "Home area (borough or postcode district)"
    PROGRAMME = Kind.PROGRAMME, "Programme"
    CUSTODY_STATUS = Kind.CUSTODY_STATUS, "Custody status"
    REFERRAL_SOURCE = Kind.REFERRAL_SOURCE, "Referral source"


class EligibilityRule(BaseModel):
    """One condition of a stream. `parameters` are checked per kind (rules.parameter_problems)."""

    stream = models.ForeignKey(FundingStream, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(max_length=32, choices=RuleKind.choices)
    parameters = models.JSONField(default=dict)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.parameters}"


class StreamAllocation(BaseModel):
    """A case funded by a stream from a date (to a date). An allocation made despite a "no" from the
    eligibility check carries the manager's reason."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="stream_allocations")
    stream = models.ForeignKey(FundingStream, on_delete=models.PROTECT, related_name="allocations")
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    override_reason = models.TextField(blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["stream", "ends_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="stream_allocation_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} on {self.stream_id}"


class UnfundedDecision(models.TextChoices):
    PENDING = "pending", "Waiting for a manager"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class UnfundedWork(BaseModel):
    """A case taken on with no funding stream: asked for by a caseworker, decided by a manager."""

    case = models.ForeignKey("casework.Case", on_delete=models.PROTECT, related_name="unfunded_work")
    reason = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=16, choices=UnfundedDecision.choices, default=UnfundedDecision.PENDING)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "unfunded work"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision="pending") | models.Q(decided_by__isnull=False, decided_at__isnull=False),
                name="unfunded_decision_has_decider",
            ),
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(decision="pending"), name="unfunded_one_pending_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.decision}"


class WaitingListEntry(BaseModel):
    """A person waiting for a place (on a stream, or for any)."""

    client = models.ForeignKey("people.Client", on_delete=models.PROTECT, related_name="waiting_list_entries")
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="waiting_list_entries"
    )
    stream = models.ForeignKey(
        FundingStream, null=True, blank=True, on_delete=models.PROTECT, related_name="waiting_list"
    )
    added_on = models.DateField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    removed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["added_on", "created_at"]
        verbose_name_plural = "waiting list entries"

    def __str__(self) -> str:
        return f"{self.client_id} waiting since {self.added_on}"
