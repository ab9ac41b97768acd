from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from keyworker.casework.models import CaseStatus, ClosureReason, ContactKind, Pathway, Programme

CHOOSE = [("", "Choose")]


class ContactForm(forms.Form):
    """A quick note: kind and what happened are all that is required; the time defaults to now."""

    kind = forms.ChoiceField(
        label="Kind of contact",
        choices=CHOOSE + list(ContactKind.choices),
        error_messages={"required": "Choose the kind of contact."},
    )
    note = forms.CharField(
        label="What happened",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter what happened."},
    )
    occurred_on = forms.DateField(
        label="Date",
        required=False,
        help_text="Leave blank for today.",
        error_messages={"invalid": "Enter a real date, like 2026-11-27."},
    )
    occurred_time = forms.TimeField(
        label="Time",
        required=False,
        help_text="Leave blank for now.",
        error_messages={"invalid": "Enter a time, like 14:30."},
    )
    duration_minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=0,
        max_value=1440,
        error_messages={
            "invalid": "Enter the minutes as a number.",
            "min_value": "Minutes cannot be negative.",
            "max_value": "A contact is at most 1,440 minutes.",
        },
    )
    location = forms.CharField(label="Where", required=False, max_length=200)
    pathways = forms.MultipleChoiceField(label="Pathways touched", choices=Pathway.choices, required=False)
    is_sensitive = forms.BooleanField(label="Sensitive: show only the heading in lists", required=False)

    def occurred_at(self) -> dt.datetime:
        now = timezone.localtime()
        day = self.cleaned_data.get("occurred_on") or now.date()
        at = self.cleaned_data.get("occurred_time")
        if at is None:
            at = now.time() if day == now.date() else dt.time(12, 0)
        return timezone.make_aware(dt.datetime.combine(day, at))


class CaseloadFilterForm(forms.Form):
    whose = forms.ChoiceField(label="Whose", choices=[("team", "My team's"), ("me", "Mine")], required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("open", "Open"), ("on_hold", "On hold"), ("closed", "Closed"), ("", "Any")],
    )
    programme = forms.ChoiceField(label="Programme", required=False, choices=[("", "Any"), *Programme.choices])


class AmendmentForm(forms.Form):
    text = forms.CharField(
        label="Correction",
        widget=forms.Textarea,
        max_length=20000,
        error_messages={"required": "Enter the correction."},
        help_text="The original note stays as it was; your correction is shown beneath it.",
    )
    reason = forms.CharField(
        label="Why it needs correcting",
        max_length=200,
        error_messages={"required": "Say why the note is being corrected."},
    )


class TaskForm(forms.Form):
    title = forms.CharField(
        label="What needs doing", max_length=200, error_messages={"required": "Enter what needs doing."}
    )
    due_on = forms.DateField(
        label="Due",
        error_messages={"required": "Enter when it is due.", "invalid": "Enter a real date, like 2026-11-27."},
    )
    owner = forms.ChoiceField(label="Who", choices=[])

    def __init__(self, *args: object, owners: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].choices = owners  # type: ignore[attr-defined]


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="New status", choices=CaseStatus.choices, error_messages={"required": "Choose the new status."}
    )
    closure_reason = forms.ChoiceField(
        label="Why is it closing?", required=False, choices=CHOOSE + list(ClosureReason.choices)
    )
    closure_note = forms.CharField(label="Closing note", required=False, widget=forms.Textarea, max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput)
