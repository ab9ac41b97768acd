from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from keyworker.safeguarding.models import AccessRuleKind, AreaConcernSource, AreaKind
from keyworker.safeguarding.rules import postcode_district


class AccessRuleForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind",
        choices=AccessRuleKind.choices,
        error_messages={"required": "Choose restriction or exclusion."},
    )
    staff = forms.MultipleChoiceField(label="Named staff", required=False, choices=[])
    reason = forms.CharField(
        label="Reason", widget=forms.Textarea, max_length=2000, error_messages={"required": "Give the reason."}
    )
    message = forms.CharField(
        label="Message for the named staff",
        required=False,
        max_length=300,
        help_text="Shown at the top of the record, e.g. 'High profile: do not discuss outside the team'.",
    )
    ends_on = forms.DateField(
        label="Until",
        required=False,
        help_text="Leave blank until lifted.",
        error_messages={"invalid": "Enter a real date, like 2027-01-31."},
    )

    def __init__(self, *args: object, staff_choices: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["staff"].choices = staff_choices  # type: ignore[attr-defined]

    def ends_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("ends_on")
        return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)) if day else None


class BreakGlassForm(forms.Form):
    client_id = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label="Why do you need this record now?",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why you need this record."},
    )


class AreaConcernForm(forms.Form):
    area = forms.CharField(
        label="Where",
        max_length=120,
        help_text="A borough, estate, postcode district or landmark.",
        error_messages={"required": "Say where."},
    )
    summary = forms.CharField(
        label="What is the concern",
        widget=forms.Textarea,
        max_length=2000,
        help_text=(
            "Name nobody: this log is about places and patterns, not people. "
            "Concerns about a person go on their record."
        ),
        error_messages={"required": "Describe the concern."},
    )
    source = forms.ChoiceField(
        label="Where did this come from",
        choices=[("", "Choose"), *AreaConcernSource.choices],
        error_messages={"required": "Choose where this came from."},
    )


# --- the safety profile (issue 6) ---------------------------------------------------------------------------


class UnsafeAreaForm(forms.Form):
    kind = forms.ChoiceField(
        label="What kind of area",
        choices=AreaKind.choices,
        error_messages={"required": "Choose a borough or a postcode district."},
    )
    area = forms.CharField(
        label="Area",
        max_length=60,
        help_text="A borough (Southwark) or a postcode district (SE15). A full postcode is kept as its district.",
        error_messages={"required": "Enter the borough or postcode district."},
    )
    reason = forms.CharField(
        label="Why it is unsafe for them",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why it is unsafe for them."},
    )
    source = forms.CharField(
        label="Who said so",
        max_length=200,
        help_text="For example: the client, the police, a partner agency.",
        error_messages={"required": "Say who said so."},
    )

    def clean(self) -> dict[str, object]:
        # Said here as well as in the service, so a bad postcode shows alongside any other missing answer.
        cleaned = super().clean() or {}
        area = cleaned.get("area")
        if cleaned.get("kind") == AreaKind.POSTCODE_DISTRICT and isinstance(area, str) and not postcode_district(area):
            self.add_error("area", "Enter a postcode district like SE15, or a full postcode.")
        return cleaned


class KeepApartForm(forms.Form):
    other = forms.UUIDField(
        label="Who to keep them apart from",
        error_messages={"required": "Choose the person from the search results.", "invalid": "Choose the person."},
    )
    reason = forms.CharField(
        label="Why they must be kept apart",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Say why they must be kept apart."},
    )
    source = forms.CharField(
        label="Who said so",
        max_length=200,
        help_text="For example: the client, the police, the prison.",
        error_messages={"required": "Say who said so."},
    )


class EndForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
