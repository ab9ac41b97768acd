"""Forms for the on-call line: a crisis call (quick to fill on a phone at midnight) and a rota shift."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from keyworker.safeguarding.models import LawfulBasis
from keyworker.safeguarding.rules import LONDON

SHARED_CHOICES = [("no", "No, not shared"), ("yes", "Yes, shared")]


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    # London wall-clock time as the worker reads it off their phone.
    return dt.datetime.combine(day, time, tzinfo=LONDON)


class CrisisCallForm(forms.Form):
    received_on = forms.DateField(label="Date of the call", error_messages={"required": "Enter the date of the call."})
    received_time = forms.TimeField(
        label="Time of the call", error_messages={"required": "Enter the time of the call, like 23:40."}
    )
    caller = forms.CharField(
        label="Who called",
        max_length=150,
        help_text="For example: the client, his mother, the police.",
        error_messages={"required": "Say who called, e.g. \u201cthe client\u201d."},
    )
    what_happened = forms.CharField(
        label="What happened",
        max_length=10_000,
        widget=forms.Textarea,
        error_messages={"required": "Say what happened."},
    )
    advice_given = forms.CharField(
        label="Advice you gave",
        max_length=10_000,
        widget=forms.Textarea,
        error_messages={"required": "Say what advice you gave."},
    )
    actions_taken = forms.CharField(
        label="What you did (optional)",
        max_length=10_000,
        widget=forms.Textarea,
        required=False,
        help_text="For example: rang 999, arranged a place to stay, told the police.",
    )
    shared = forms.ChoiceField(
        label="Did you share information about the client with anyone outside the charity?",
        choices=SHARED_CHOICES,
        error_messages={"required": "Say whether you shared information."},
    )
    shared_with = forms.CharField(label="Shared with", max_length=200, required=False)
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing",
        choices=[("", "Choose if shared"), *[(v, label) for v, label in LawfulBasis.choices if v != "not_applicable"]],
        required=False,
    )
    sharing_reasons = forms.CharField(
        label="Why you shared it, or why not",
        max_length=5000,
        widget=forms.Textarea,
        error_messages={"required": "Say why it was shared, or why not: the reasons matter in a review."},
    )
    follow_up = forms.CharField(
        label="What should the keyworker follow up?",
        max_length=200,
        help_text="This becomes a task for the client's keyworker.",
        error_messages={"required": "Say what the keyworker should follow up in the morning."},
    )
    follow_up_due = forms.DateField(
        label="Follow-up due (optional)", required=False, help_text="Leave blank for the next working morning."
    )
    risk_review_needed = forms.BooleanField(
        label="Ask the keyworker to review the client's risk", required=False, initial=True
    )

    def received_at(self) -> dt.datetime:
        return _at(self.cleaned_data["received_on"], self.cleaned_data["received_time"])

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        shared = data["shared"] == "yes"
        return {
            "received_at": self.received_at(),
            "caller": data["caller"],
            "what_happened": data["what_happened"],
            "advice_given": data["advice_given"],
            "actions_taken": data["actions_taken"],
            "shared": shared,
            "shared_with": data["shared_with"] if shared else "",
            "lawful_basis": data["lawful_basis"] if shared else "",
            "sharing_reasons": data["sharing_reasons"],
            "follow_up": data["follow_up"],
            "follow_up_due": data["follow_up_due"],
            "risk_review_needed": data["risk_review_needed"],
        }


# The service names a field after the model; the form splits the call's time into date and time.
CRISIS_CALL_FIELD_NAMES = {"received_at": "received_time"}


class ShiftForm(forms.Form):
    worker = forms.ChoiceField(label="Who is on call", error_messages={"required": "Choose who is on call."})
    starts_on = forms.DateField(label="Starts on", error_messages={"required": "Enter the day the shift starts."})
    starts_time = forms.TimeField(label="Starts at", error_messages={"required": "Enter the time it starts."})
    ends_on = forms.DateField(label="Ends on", error_messages={"required": "Enter the day the shift ends."})
    ends_time = forms.TimeField(label="Ends at", error_messages={"required": "Enter the time it ends."})

    def __init__(self, *args: Any, worker_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "Choose someone"), *worker_choices]  # type: ignore[attr-defined]

    def starts_at(self) -> dt.datetime:
        return _at(self.cleaned_data["starts_on"], self.cleaned_data["starts_time"])

    def ends_at(self) -> dt.datetime:
        return _at(self.cleaned_data["ends_on"], self.cleaned_data["ends_time"])


SHIFT_FIELD_NAMES = {"starts_at": "starts_time", "ends_at": "ends_time"}
