"""Inbound referrals: who referred whom, when, why, how urgently, how to make safe contact, and each step
of the referral's life until the person becomes a client (or does not)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Gender, PersonNames, SafeContactRules


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


class Referral(BaseModel, PersonNames, SafeContactRules):
    """One inbound referral. Personal data: every read and write is audited."""

    source = models.CharField(max_length=20, choices=ReferralSource.choices)
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_organisation = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200, blank=True, help_text="Phone or e-mail.")
    received_at = models.DateTimeField()
    reason = models.TextField()
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)

    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_SAID)
    phone = models.CharField(max_length=40, blank=True)
    home_area = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

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
        return f"Referral of {self.display_name}"


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


# --- consent and lawful basis (issue 4 item 2) ------------------------------------------------------------


class AgencyKind(models.TextChoices):
    """Kinds of agency a person may agree to their information being shared with."""

    DRUG_AND_ALCOHOL = "drug_alcohol", "Drug and alcohol services"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation"
    POLICE = "police", "Police"
    CHILDRENS_SERVICES = "childrens_services", "Children's services"
    HEALTH = "health", "Health"
    EDUCATION = "education", "Education"
    OTHER_CHARITY = "other_charity", "Other charities"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1)."""

    CONSENT = "consent", "Consent (Art. 6(1)(a))"
    CONTRACT = "contract", "Contract (Art. 6(1)(b))"
    LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 6(1)(d))"
    PUBLIC_TASK = "public_task", "Public task (Art. 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (Art. 6(1)(f))"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbally"
    WRITTEN = "written", "In writing"
    TEXT_OR_EMAIL = "text_email", "By text or e-mail"
    PARENT_GUARDIAN = "parent_guardian", "By a parent or guardian"


class Schedule1Condition(models.TextChoices):
    """The DPA 2018 Schedule 1 conditions a charity in this field relies on for special-category and
    criminal-offence data (mostly Part 2, substantial public interest)."""

    HEALTH_SOCIAL_CARE = "p1_2", "Sch. 1 para 2: health or social care purposes"
    STATUTORY = "p2_6", "Sch. 1 para 6: statutory and government purposes"
    JUSTICE = "p2_7", "Sch. 1 para 7: administration of justice"
    EQUALITY = "p2_8", "Sch. 1 para 8: equality of opportunity or treatment"
    UNLAWFUL_ACTS = "p2_10", "Sch. 1 para 10: preventing or detecting unlawful acts"
    DISABILITY_SUPPORT = "p2_16", "Sch. 1 para 16: support for individuals with a disability or medical condition"
    COUNSELLING = "p2_17", "Sch. 1 para 17: counselling"
    SAFEGUARDING = "p2_18", "Sch. 1 para 18: safeguarding of children and individuals at risk"
    ECONOMIC_WELLBEING = "p2_19", "Sch. 1 para 19: safeguarding of economic well-being"
    VITAL_INTERESTS = "p3_30", "Sch. 1 para 30: protecting a person's vital interests (criminal-offence data)"
    LEGAL_CLAIMS = "p3_33", "Sch. 1 para 33: legal claims"


class ConsentRecord(BaseModel):
    """What a person agreed to (support; sharing with kinds of agency), or the other lawful basis the
    charity relies on, from a date; withdrawn (or ended) with a date, who recorded it and why. Never
    deleted or edited: a change is a withdrawal and a new record, so the history is kept."""

    client = models.ForeignKey("people.Client", on_delete=models.PROTECT, related_name="consents")
    basis = models.CharField(max_length=30, choices=LawfulBasis.choices, default=LawfulBasis.CONSENT)
    covers_support = models.BooleanField(default=False, help_text="Agreed to support from the charity.")
    agency_kinds = models.JSONField(default=list, blank=True, help_text="AgencyKind values it covers.")
    given_on = models.DateField()
    method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    schedule1_condition = models.CharField(max_length=10, choices=Schedule1Condition.choices, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_method = models.CharField(max_length=20, choices=ConsentMethod.choices, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-given_on", "-created_at"]
        indexes = [models.Index(fields=["client", "given_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(basis="consent") | ~models.Q(schedule1_condition=""),
                name="consent_other_basis_has_schedule1_condition",
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_on__isnull=True) | models.Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_basis_display()} from {self.given_on:%d %b %Y}"

    @property
    def agency_labels(self) -> list[str]:
        return [AgencyKind(kind).label for kind in self.agency_kinds if kind in AgencyKind.values]
