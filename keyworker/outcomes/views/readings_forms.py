"""Forms for outcome readings, the cohort filter and the managers' scale edits. The services decide what is
valid; these only parse."""

from __future__ import annotations

from typing import Any

from django import forms

from keyworker.outcomes.models import OutcomeDomain
from keyworker.outcomes.services.readings import MAX_INTERVAL_DAYS, NOTE_MAX_CHARS, score_field

DATE_INVALID = "Enter a real date, like 2027-01-31."
MAX_VERSION = 2_147_483_647
NOT_RECORDED = ""


class ReadingForm(forms.Form):
    """For each domain of the scale, the client's view and the worker's view: a step of its ladder, or not
    recorded this time."""

    taken_on = forms.DateField(
        label="Date taken",
        error_messages={"required": "Enter the date the reading was taken.", "invalid": DATE_INVALID},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea,
        max_length=NOTE_MAX_CHARS,
        help_text="Optional: anything that explains a view, or where the two views differ.",
    )

    def __init__(self, *args: Any, domains: list[OutcomeDomain], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.domains = domains
        for domain in domains:
            steps = [(str(step.value), step.label) for step in domain.steps.all()]
            for view, who in (("client", "The client's view"), ("worker", "Your view")):
                self.fields[score_field(view, domain.key)] = forms.ChoiceField(
                    label=f"{who}: {domain.name}",
                    required=False,
                    choices=[*steps, (NOT_RECORDED, "Not recorded this time")],
                    error_messages={"invalid_choice": f"Choose a step of {domain.name.lower()}."},
                )

    def scores(self) -> dict[str, tuple[int | None, int | None]]:
        def value(name: str) -> int | None:
            raw = self.cleaned_data.get(name) or ""
            return int(raw) if raw else None

        return {d.key: (value(score_field("client", d.key)), value(score_field("worker", d.key))) for d in self.domains}


class CohortFilterForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, error_messages={"invalid": DATE_INVALID})
    date_to = forms.DateField(label="To", required=False, error_messages={"invalid": DATE_INVALID})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "The end of the range must be on or after its start.")
        return data


class ScaleForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=120, error_messages={"required": "Enter the scale's name."})
    reading_interval_days = forms.IntegerField(
        label="Days between readings",
        min_value=1,
        max_value=MAX_INTERVAL_DAYS,
        help_text="A reading is due this many days after the last one. 91 is about every three months.",
        error_messages={
            "required": "Enter how many days apart readings are.",
            "invalid": "Enter a whole number of days.",
            "min_value": f"Enter how many days apart readings are, 1 to {MAX_INTERVAL_DAYS}.",
            "max_value": f"Enter how many days apart readings are, 1 to {MAX_INTERVAL_DAYS}.",
        },
    )
    is_active = forms.BooleanField(label="In use: readings are taken and fall due on this scale", required=False)


class DomainForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)
    domain = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(label="Domain name", max_length=120, error_messages={"required": "Enter the domain's name."})


class StepForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)
    step = forms.UUIDField(widget=forms.HiddenInput)
    label = forms.CharField(label="Label", max_length=80, error_messages={"required": "Enter the step's label."})
    description = forms.CharField(
        label="What this step means",
        widget=forms.Textarea,
        max_length=1000,
        error_messages={"required": "Say what the step means."},
    )
