from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from keyworker.safeguarding.models import AccessRuleKind, AreaConcernSource


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
