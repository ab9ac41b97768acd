"""Custody and court: the prisons and courts directory, custody episodes and transfers, the through-the-gate
release plan, charges (as allegations, with their source) and court hearings with their outcomes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from keyworker.casework.models import Case, Pathway
from keyworker.core.models import BaseModel
from keyworker.people.models import Client


class EstablishmentKind(models.TextChoices):
    PRISON = "prison", "Prison"
    YOUNG_OFFENDER_INSTITUTION = "yoi", "Young offender institution"
    MAGISTRATES_COURT = "magistrates", "Magistrates' court"
    CROWN_COURT = "crown", "Crown Court"
    YOUTH_COURT = "youth", "Youth court"


PRISON_KINDS = frozenset({EstablishmentKind.PRISON, EstablishmentKind.YOUNG_OFFENDER_INSTITUTION})
COURT_KINDS = frozenset(
    {EstablishmentKind.MAGISTRATES_COURT, EstablishmentKind.CROWN_COURT, EstablishmentKind.YOUTH_COURT}
)


class Establishment(BaseModel):
    """A prison or a court, as caseworkers need to reach it: where it is, how to get a visit, who to ring."""

    kind = models.CharField(max_length=16, choices=EstablishmentKind.choices)
    name = models.CharField(max_length=120)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    visiting_arrangements = models.TextField(
        blank=True, help_text="How to book social and legal visits, times, what to bring."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="establishment_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_prison(self) -> bool:
        return self.kind in PRISON_KINDS

    @property
    def is_court(self) -> bool:
        return self.kind in COURT_KINDS


class LegalStatus(models.TextChoices):
    REMANDED = "remanded", "On remand"
    SENTENCED = "sentenced", "Sentenced"


class ReleaseType(models.TextChoices):
    CONDITIONAL = "conditional", "Conditional release date (on licence)"
    AUTOMATIC = "automatic", "Automatic release date"
    PAROLE = "parole", "Parole Board release"
    HOME_DETENTION_CURFEW = "hdc", "Home detention curfew"
    END_OF_SENTENCE = "end_of_sentence", "End of sentence (no licence)"
    FROM_REMAND = "from_remand", "Released from remand"


class CustodyEpisode(BaseModel):
    """A spell in custody, from reception to release. The release date drives the countdown, My week and
    the reminders; `released_on` says it happened."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="custody_episodes")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="custody_episodes")
    establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="custody_episodes")
    prison_number = models.CharField(max_length=20, blank=True)
    legal_status = models.CharField(max_length=16, choices=LegalStatus.choices, default=LegalStatus.SENTENCED)
    received_on = models.DateField()
    sentenced_on = models.DateField(null=True, blank=True)
    sentence_length = models.CharField(max_length=60, blank=True, help_text="As the court gave it, e.g. 3 years.")
    release_on = models.DateField(null=True, blank=True, help_text="The expected release date.")
    release_type = models.CharField(max_length=20, choices=ReleaseType.choices, blank=True)
    licence_ends_on = models.DateField(null=True, blank=True)
    released_on = models.DateField(null=True, blank=True, help_text="The day they actually came out.")
    probation_practitioner = models.CharField(max_length=120, blank=True)
    probation_phone = models.CharField(max_length=40, blank=True)
    probation_email = models.EmailField(blank=True)
    # The court outcome that opened this episode, when it was recorded in Keyworker (enter once).
    source_hearing = models.ForeignKey(
        "custody.Hearing", null=True, blank=True, on_delete=models.PROTECT, related_name="custody_episodes"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-received_on"]
        indexes = [
            models.Index(fields=["client", "-received_on"]),
            models.Index(fields=["released_on", "release_on"]),
        ]
        constraints = [
            # One spell in custody at a time (a move between prisons is a transfer, not a new episode); this
            # backs the service's check against two people opening one at the same moment.
            models.UniqueConstraint(
                fields=["client"], condition=models.Q(released_on__isnull=True), name="custody_one_open_episode"
            ),
            models.CheckConstraint(
                condition=models.Q(release_on__isnull=True) | models.Q(release_on__gte=models.F("received_on")),
                name="custody_release_after_reception",
            ),
            models.CheckConstraint(
                condition=models.Q(released_on__isnull=True) | models.Q(released_on__gte=models.F("received_on")),
                name="custody_released_after_reception",
            ),
        ]

    def __str__(self) -> str:
        return f"Custody at {self.establishment} from {self.received_on:%d %b %Y}"

    @property
    def in_custody(self) -> bool:
        return self.released_on is None


class CustodyTransfer(BaseModel):
    """A move between prisons. The episode's establishment is the latest one; the moves are its history."""

    episode = models.ForeignKey(CustodyEpisode, on_delete=models.PROTECT, related_name="transfers")
    from_establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    to_establishment = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="+")
    transferred_on = models.DateField()
    prison_number = models.CharField(max_length=20, blank=True, help_text="If the new prison gave a new one.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["transferred_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_establishment} to {self.to_establishment} on {self.transferred_on:%d %b %Y}"


class NeedStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    DECLINED = "declined", "Declined"
    NOT_NEEDED = "not_needed", "Not needed"


# A need with one of these statuses needs nothing more before the gate.
SETTLED_NEED_STATUSES = frozenset({NeedStatus.MET, NeedStatus.DECLINED, NeedStatus.NOT_NEEDED})


class ReleaseNeed(BaseModel):
    """One line of the through-the-gate plan: a support need on a resettlement pathway, from the catalogue in
    custody/rules.py (`need` is its key) or written for this person (`need` is "other")."""

    episode = models.ForeignKey(CustodyEpisode, on_delete=models.PROTECT, related_name="needs")
    need = models.CharField(max_length=40)
    pathway = models.CharField(max_length=20, choices=Pathway.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=NeedStatus.choices, default=NeedStatus.NOT_STARTED)
    due_on = models.DateField(null=True, blank=True, help_text="When it should be settled by, before release.")

    class Meta:
        ordering = ["due_on", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "need"], condition=~models.Q(need="other"), name="release_need_once_per_episode"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status not in SETTLED_NEED_STATUSES


class ReleaseNeedUpdate(BaseModel):
    """A dated update to a need: its status then, and what happened. The plan's history."""

    need = models.ForeignKey(ReleaseNeed, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(max_length=16, choices=NeedStatus.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]


class ChargeSource(models.TextChoices):
    CHARGE_SHEET = "charge_sheet", "Charge sheet"
    COURT_LIST = "court_list", "Court list"
    SOLICITOR = "solicitor", "Solicitor"
    PROBATION = "probation", "Probation"
    POLICE = "police", "Police"
    CLIENT = "client", "The client said"


class Charge(BaseModel):
    """An offence someone is charged with: an allegation until a court decides, always with its source."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="charges")
    offence = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=ChargeSource.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.offence} (alleged)"


class HearingKind(models.TextChoices):
    FIRST_APPEARANCE = "first_appearance", "First appearance"
    BAIL = "bail", "Bail application"
    PLEA = "plea", "Plea hearing"
    PREPARATION = "preparation", "Plea and trial preparation"
    TRIAL = "trial", "Trial"
    SENTENCING = "sentencing", "Sentencing"
    MENTION = "mention", "Mention"
    REVIEW = "review", "Order review"
    BREACH = "breach", "Breach"
    APPEAL = "appeal", "Appeal"
    OTHER = "other", "Other"


class HearingOutcome(models.TextChoices):
    ADJOURNED = "adjourned", "Adjourned"
    REMANDED = "remanded", "Remanded in custody"
    CUSTODIAL = "custodial", "Custodial sentence"
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED = "suspended", "Suspended sentence"
    FINE = "fine", "Fine"
    DISCHARGE = "discharge", "Discharge"
    ACQUITTED = "acquitted", "Acquitted"


# Outcomes that put the person in custody: recording one opens a custody episode (enter once).
CUSTODY_OUTCOMES = frozenset({HearingOutcome.REMANDED, HearingOutcome.CUSTODIAL})


class Hearing(BaseModel):
    """A court hearing on the diary. Its outcome is recorded once and reused: an adjournment makes the next
    hearing, a custodial sentence or remand opens a custody episode. The caseworker's attendance is a diary
    appointment of kind "court" linked to it (diary.Appointment.hearing)."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="hearings")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="hearings")
    court = models.ForeignKey(Establishment, on_delete=models.PROTECT, related_name="hearings")
    starts_at = models.DateTimeField()
    kind = models.CharField(max_length=20, choices=HearingKind.choices)
    description = models.CharField(max_length=300, blank=True, help_text="What the hearing is for.")
    charges = models.ManyToManyField(Charge, blank=True, related_name="hearings")
    outcome = models.CharField(max_length=20, choices=HearingOutcome.choices, blank=True)
    outcome_detail = models.TextField(blank=True)
    sentence_length = models.CharField(max_length=60, blank=True)
    outcome_recorded_at = models.DateTimeField(null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An adjourned hearing points at the next one.
    next_hearing = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="previous_hearing"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["client", "starts_at"]), models.Index(fields=["starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome_recorded_at__isnull=False),
                name="hearing_outcome_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.court} on {self.starts_at:%d %b %Y}"
