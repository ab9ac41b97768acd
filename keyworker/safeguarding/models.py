"""Safeguarding: who may not see a client (restrictions, exclusions), out-of-hours break-glass access, the
safety profile, and (issue 7) concerns, third-party records, risk reviews, DASH and MARAC, NRM tracking,
safety plans, the disclosure scanner's phrase lists, the on-call rota and crisis calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.core.models import BaseModel
from keyworker.people.models import Client, ThirdParty


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


# --- issue 7: concerns, risk, DASH and MARAC, NRM, safety plans, the scanner, on call --------------------------


class ConcernCategory(models.TextChoices):
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    CHILD_CRIMINAL_EXPLOITATION = "cce", "Child criminal exploitation or county lines"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    MODERN_SLAVERY = "modern_slavery", "Modern slavery"
    SELF_HARM = "self_harm", "Self-harm or suicide"
    THREAT_TO_LIFE = "threat_to_life", "Threat to life or retaliation"
    WEAPONS = "weapons", "Weapons"
    CHILD_AT_RISK = "child_at_risk", "Child at risk"
    OTHER = "other", "Other"


class ConcernAbout(models.TextChoices):
    CLIENT = "client", "The client"
    THIRD_PARTY = "third_party", "Someone else (an adult)"
    CHILD = "child", "A child"


class DisclosedBy(models.TextChoices):
    PERSON_AT_RISK = "person_at_risk", "The person at risk"
    CLIENT = "client", "The client"
    FAMILY = "family", "A family member or friend"
    PROFESSIONAL = "professional", "A professional"
    STAFF = "staff", "Seen or heard by staff"
    ANONYMOUS = "anonymous", "Anonymous"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    WITH_LEAD = "with_lead", "With the safeguarding lead"
    CLOSED = "closed", "Closed"


class Concern(BaseModel):
    """A safeguarding concern raised in a client's casework.

    About the client: part of the client's file. About someone else (a third party or a child): held on that
    person's restricted record; `client` is then only the casework it arose in (often the alleged
    perpetrator's), and staff who see that client see no more than "a safeguarding concern exists — see the
    safeguarding lead". Such a concern never reaches the client's file, exports or subject access output, and
    its audit events carry no client id (docs/decisions/0025)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="concerns")
    about = models.CharField(max_length=16, choices=ConcernAbout.choices, default=ConcernAbout.CLIENT)
    third_party = models.ForeignKey(
        ThirdParty, null=True, blank=True, on_delete=models.PROTECT, related_name="concerns"
    )
    category = models.CharField(max_length=24, choices=ConcernCategory.choices)
    disclosed_by = models.CharField(max_length=16, choices=DisclosedBy.choices)
    disclosed_on = models.DateField()
    what_was_disclosed = models.TextField()
    status = models.CharField(max_length=12, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    review_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(null=True, blank=True)
    closing_note = models.TextField(blank=True)

    class Meta:
        ordering = ["review_on", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(about="client", third_party__isnull=True)
                | (~models.Q(about="client") & models.Q(third_party__isnull=False)),
                name="concern_third_party_matches_about",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_on"]), models.Index(fields=["client", "about"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} concern"

    @property
    def is_about_client(self) -> bool:
        return self.about == ConcernAbout.CLIENT


class ConcernActionKind(models.TextChoices):
    ADVICE_ONLY = "advice_only", "Advice only"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Referred to the safeguarding lead"
    CHILDRENS_SERVICES = "childrens_services", "Referred to children's services"
    ADULT_SOCIAL_CARE = "adult_social_care", "Referred to adult social care"
    POLICE = "police", "Reported to the police"
    MARAC = "marac", "Referred to MARAC"
    NRM = "nrm", "NRM referral through a first responder"


class ConcernAction(BaseModel):
    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=24, choices=ConcernActionKind.choices)
    taken_on = models.DateField()
    note = models.TextField(blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["taken_on", "created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", "Consent of the person"
    VITAL_INTERESTS = "vital_interests", "Vital interests (risk to life or serious harm)"
    SAFEGUARDING = "safeguarding", "Safeguarding of children and individuals at risk (DPA 2018 Sch 1 para 18)"
    CRIME_PREVENTION = "crime_prevention", "Prevention or detection of crime (DPA 2018 Sch 2 para 2)"
    LEGAL_DUTY = "legal_duty", "Legal duty (e.g. Duty to Notify, a court order)"
    PUBLIC_TASK = "public_task", "Public task of the receiving agency"
    NOT_APPLICABLE = "not_applicable", "Not shared"


class SharingDecision(BaseModel):
    """One decision to share, or not to share, information about a concern or a crisis call: with whom, on
    which lawful basis, and why. Recorded either way: "not shared, and why" matters as much in a review."""

    concern = models.ForeignKey(
        Concern, null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_decisions"
    )
    crisis_call = models.ForeignKey(
        "CrisisCall", null=True, blank=True, on_delete=models.PROTECT, related_name="sharing_decisions"
    )
    shared = models.BooleanField()
    shared_with = models.CharField(max_length=200, blank=True)
    lawful_basis = models.CharField(max_length=20, choices=LawfulBasis.choices)
    reasons = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(concern__isnull=False, crisis_call__isnull=True)
                | models.Q(concern__isnull=True, crisis_call__isnull=False),
                name="sharing_decision_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(shared=False) | ~models.Q(shared_with=""), name="sharing_decision_says_with_whom"
            ),
        ]

    def __str__(self) -> str:
        return f"Shared with {self.shared_with}" if self.shared else "Not shared"


class DashAssessment(BaseModel):
    """The 24-question domestic abuse risk checklist for one person at risk, asked once. Answers are stored
    as given ("yes", "no", "not_known"); the score is the count of "yes". Whether it meets the MARAC threshold
    is worked out by rules.marac_threshold (14 or more, or 3+ incidents in 12 months, or professional judgement,
    which may raise but never lower)."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="dash_assessments")
    answers = models.JSONField(help_text='{"1": "yes", "2": "no", ..., "24": "not_known"}')
    score = models.PositiveSmallIntegerField()
    incidents_in_last_12_months = models.PositiveSmallIntegerField(null=True, blank=True)
    professional_judgement = models.BooleanField(default=False)
    judgement_reasons = models.TextField(blank=True)
    meets_marac_threshold = models.BooleanField()
    completed_on = models.DateField()
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-completed_on", "-created_at"]

    def __str__(self) -> str:
        return f"DASH {self.score}/24"


class MaracReferral(BaseModel):
    """A referral to the MARAC, pre-filled from the concern, its DASH and the third-party record."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="marac_referrals")
    dash = models.ForeignKey(DashAssessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    marac_area = models.CharField(max_length=120, help_text="Which MARAC, e.g. Lambeth.")
    threshold_reasons = models.TextField()
    summary = models.TextField(help_text="What happened and the current risk.")
    referred_on = models.DateField()
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    meeting_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-referred_on"]

    def __str__(self) -> str:
        return f"MARAC referral ({self.marac_area})"


class NrmDecision(models.TextChoices):
    PENDING = "pending", "Awaiting decision"
    POSITIVE = "positive", "Positive"
    NEGATIVE = "negative", "Negative"


class NrmReferral(BaseModel):
    """A referral to the National Referral Mechanism (modern slavery), made by a first responder agency,
    tracked through its reasonable-grounds and conclusive-grounds decisions."""

    concern = models.ForeignKey(Concern, on_delete=models.PROTECT, related_name="nrm_referrals")
    first_responder = models.CharField(max_length=150, help_text="The first responder organisation that referred.")
    referred_on = models.DateField()
    is_adult = models.BooleanField(default=True)
    consent_given = models.BooleanField(null=True, blank=True, help_text="Adults: consented to the NRM referral.")
    duty_to_notify_on = models.DateField(null=True, blank=True, help_text="Adults who did not consent.")
    reasonable_grounds_on = models.DateField(null=True, blank=True)
    reasonable_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, default=NrmDecision.PENDING)
    conclusive_grounds_on = models.DateField(null=True, blank=True)
    conclusive_grounds = models.CharField(max_length=10, choices=NrmDecision.choices, default=NrmDecision.PENDING)
    next_chase_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-referred_on"]

    def __str__(self) -> str:
        return f"NRM referral by {self.first_responder}"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class RiskReviewOccasion(models.TextChoices):
    INITIAL = "initial", "Initial risk check"
    SCHEDULED = "scheduled", "Scheduled review"
    AFTER_INCIDENT = "after_incident", "After an incident or crisis call"
    AFTER_CONCERN = "after_concern", "After a safeguarding concern"


class RiskReview(BaseModel):
    """A person's judgement of a client's risk to self, to others and from others, with the reasons. Every
    review is kept (the history is the record); the latest is the current view. Never scored by the system."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="risk_reviews")
    occasion = models.CharField(max_length=16, choices=RiskReviewOccasion.choices, default=RiskReviewOccasion.SCHEDULED)
    risk_to_self = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_to_others = models.CharField(max_length=10, choices=RiskLevel.choices)
    risk_from_others = models.CharField(max_length=10, choices=RiskLevel.choices)
    reasons = models.TextField()
    reviewed_on = models.DateField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    next_review_on = models.DateField()
    crisis_call = models.ForeignKey(
        "CrisisCall", null=True, blank=True, on_delete=models.PROTECT, related_name="risk_reviews"
    )

    class Meta:
        ordering = ["-reviewed_on", "-created_at"]
        indexes = [models.Index(fields=["client", "-reviewed_on"]), models.Index(fields=["next_review_on"])]

    def __str__(self) -> str:
        return f"Risk review {self.reviewed_on}"


class RelocationStatus(models.TextChoices):
    NOT_NEEDED = "not_needed", "Not needed"
    CONSIDERING = "considering", "Being considered"
    IN_PROGRESS = "in_progress", "Move being arranged"
    MOVED = "moved", "Moved"


class SafetyPlan(BaseModel):
    """One current safety plan per client (the unsafe areas themselves are the safety profile's UnsafeArea
    rows, shown with it). Edited in place under optimistic locking; each change is audited."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, related_name="safety_plan")
    safe_areas = models.TextField(blank=True)
    safe_contacts = models.TextField(blank=True, help_text="People and places they can go to.")
    emergency_plan = models.TextField(help_text="What to do in an emergency.")
    relocation_status = models.CharField(
        max_length=12, choices=RelocationStatus.choices, default=RelocationStatus.NOT_NEEDED
    )
    moved_on = models.DateField(null=True, blank=True)
    next_check_in_on = models.DateField(null=True, blank=True, help_text="The next check-in after a move.")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return "Safety plan"


class ScannerPhrase(BaseModel):
    """One entry in the disclosure scanner's lists: a phrase (matched as whole words, any case) or a regular
    expression, for a category, or a negation cue ("denies", "no concerns") that cancels a match after it in
    the same clause. Seeded from safeguarding/scanner_defaults.py; edited by the safeguarding lead."""

    category = models.CharField(max_length=20, help_text='A scanner category, or "negation".')
    phrase = models.CharField(max_length=200)
    is_pattern = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["category", "phrase"]
        constraints = [models.UniqueConstraint(fields=["category", "phrase"], name="scanner_phrase_once")]

    def __str__(self) -> str:
        return f"{self.category}: {self.phrase}"


class OnCallShift(BaseModel):
    """Who is on call when: a rota kept by managers."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="on_call_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start")
        ]
        indexes = [models.Index(fields=["starts_at", "ends_at"])]

    def __str__(self) -> str:
        return f"On call {self.starts_at:%d %b %H:%M}"


class CrisisCall(BaseModel):
    """A call to the on-call line: when, who called, what happened, the advice given, what was done and (in
    SharingDecision rows) what was shared with whom and why. Saving it raises the follow-up tasks and a
    risk review for the client's keyworker; the morning handover lists it."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="crisis_calls")
    received_at = models.DateTimeField()
    caller = models.CharField(max_length=150, help_text='e.g. "the client", "his mother".')
    what_happened = models.TextField()
    advice_given = models.TextField()
    actions_taken = models.TextField(blank=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    break_glass = models.BooleanField(default=False, help_text="Logged on a record opened by break-glass.")
    # The follow-up and risk-review tasks the call raised for the keyworker (the handover lists them).
    tasks = models.ManyToManyField("casework.Task", related_name="+", blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["received_at"]), models.Index(fields=["client", "-received_at"])]

    def __str__(self) -> str:
        return f"Crisis call {self.received_at:%d %b %H:%M}"
