"""People Keyworker supports, and how it is safe to contact them."""

from __future__ import annotations

from django.db import models

from keyworker.core.models import BaseModel


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    SELF_DESCRIBED = "self_described", "Self-described"
    NOT_SAID = "not_said", "Prefers not to say"


class Ethnicity(models.TextChoices):
    """The 2021 census categories for England and Wales (what funders and the Justice Data Lab compare
    against), as the person describes themselves. The group is the part of the value before the first "_"."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian or Asian British: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian or Asian British: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian or Asian British: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian or Asian British: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black, Black British, Caribbean or African: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black, Black British, Caribbean or African: Caribbean"
    BLACK_OTHER = "black_other", "Black, Black British, Caribbean or African: any other Black background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed or multiple ethnic groups: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed or multiple ethnic groups: White and Black African"
    MIXED_WHITE_BLACK_CARIBBEAN = (
        "mixed_white_black_caribbean",
        "Mixed or multiple ethnic groups: White and Black Caribbean",
    )
    MIXED_OTHER = "mixed_other", "Mixed or multiple ethnic groups: any other mixed background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_TRAVELLER = "white_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_SAID = "not_said", "Prefers not to say"


class EthnicGroup(models.TextChoices):
    """The five high-level census groups, which reports count (the detailed categories are too small)."""

    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    WHITE = "white", "White"
    OTHER = "other", "Other ethnic group"


def ethnic_group(ethnicity: str) -> str | None:
    """The high-level group of a detailed category; None when not recorded or not said."""
    group = (ethnicity or "").split("_", 1)[0]
    return group if group in EthnicGroup.values else None


class SafeContactRules(models.Model):
    """How it is safe to reach a person without putting them at risk: on a client, and on a referral
    before it becomes one (copied across when it is accepted)."""

    may_phone = models.BooleanField(default=True)
    may_text = models.BooleanField(default=True)
    may_leave_voicemail = models.BooleanField(default=False)
    may_write = models.BooleanField(default=False)
    code_word = models.CharField(max_length=60, blank=True, help_text="Word to confirm it is safe to talk.")
    safe_contact_note = models.TextField(blank=True, help_text="e.g. only after 6pm; his brother reads his post.")

    class Meta:
        abstract = True


SAFE_CONTACT_FIELDS = ("may_phone", "may_text", "may_leave_voicemail", "may_write", "code_word", "safe_contact_note")


class PersonNames(models.Model):
    """A person's names and how they are shown, on a client and on a referral alike."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    preferred_name = models.CharField(max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def display_name(self) -> str:
        """Full name, with the name they go by where it differs."""
        if self.preferred_name and self.preferred_name != self.first_name:
            return f"{self.full_name} ({self.preferred_name})"
        return self.full_name


class Client(BaseModel, PersonNames, SafeContactRules):
    date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=20, choices=Gender.choices, default=Gender.NOT_SAID)
    gender_description = models.CharField(max_length=100, blank=True)
    pronouns = models.CharField(max_length=40, blank=True)
    ethnicity = models.CharField(
        max_length=32,
        choices=Ethnicity.choices,
        blank=True,
        help_text="As they describe themselves; blank if not asked.",
    )

    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    home_area = models.CharField(max_length=100, blank=True, help_text="Borough or neighbourhood.")

    class Meta:
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            models.Index(fields=["preferred_name"]),
        ]

    def __str__(self) -> str:
        return self.display_name


class ThirdParty(BaseModel):
    """Someone who is not a client but whose safety is at stake (a partner, a child, a relative): the least
    data that lets the safeguarding lead act, kept on a restricted record of its own. It is never part of any
    client's file, export or subject access output (DESIGN principle 3, docs/decisions/0025)."""

    name = models.CharField(max_length=150, blank=True, help_text="Leave blank if not known or not given.")
    description = models.CharField(max_length=150, help_text='Who they are, e.g. "a young woman, a client\'s partner".')
    is_child = models.BooleanField(default=False)
    date_of_birth = models.DateField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    safe_contact_note = models.TextField(blank=True, help_text="How it is safe to reach them, if at all.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or self.description


class ClientImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Checked, not imported"
    IMPORTED = "imported", "Imported"
    DISCARDED = "discarded", "Discarded"


class ClientImport(BaseModel):
    """A spreadsheet of clients (CSV) uploaded to be checked and then imported all together or not at all. The
    file's text is kept only until it is imported or discarded (then emptied), and retention removes previews
    left behind."""

    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=200, blank=True)
    csv_text = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ClientImportStatus.choices, default=ClientImportStatus.PREVIEWED)
    row_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.row_count} rows ({self.get_status_display()})"
