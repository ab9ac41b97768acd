"""Forms for the funding pages. A rule is entered as plain fields per kind, turned into its parameters here;
the services check them again (rules.parameter_problems)."""

from __future__ import annotations

from typing import Any

from django import forms

from keyworker.funding.models import RuleKind, TargetMeasure, UnfundedDecision
from keyworker.funding.rules import GENDER_WORDS, PROGRAMME_WORDS, REFERRAL_SOURCE_WORDS, Kind

DATE_ERRORS = {"invalid": "Enter a real date, like 2027-01-31."}


class StreamForm(forms.Form):
    funder = forms.CharField(label="Funder", max_length=200, error_messages={"required": "Enter the funder."})
    name = forms.CharField(label="Stream name", max_length=200, error_messages={"required": "Enter the name."})
    starts_on = forms.DateField(label="Funding starts", error_messages={"required": "Enter the start.", **DATE_ERRORS})
    ends_on = forms.DateField(label="Funding ends", required=False, error_messages=DATE_ERRORS)
    places = forms.IntegerField(label="Places", min_value=0, error_messages={"required": "Enter the number of places."})
    targets = forms.CharField(label="Targets", required=False, widget=forms.Textarea, max_length=2000)


class RuleForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of rule", choices=RuleKind.choices, error_messages={"required": "Choose one."})
    min_age = forms.IntegerField(label="Youngest age", required=False, min_value=0, max_value=120)
    max_age = forms.IntegerField(label="Oldest age", required=False, min_value=0, max_value=120)
    age_at = forms.ChoiceField(
        label="Age counts", choices=[("referral", "At referral"), ("today", "Today")], required=False
    )
    genders = forms.MultipleChoiceField(label="Genders", choices=list(GENDER_WORDS.items()), required=False)
    areas = forms.CharField(
        label="Boroughs or postcode districts",
        required=False,
        max_length=500,
        help_text="Separated by commas, e.g. Lambeth, Southwark, SE11",
    )
    programmes = forms.MultipleChoiceField(label="Programmes", choices=list(PROGRAMME_WORDS.items()), required=False)
    custody = forms.ChoiceField(
        label="Custody",
        required=False,
        choices=[
            ("", "Choose"),
            ("in", "In custody"),
            ("out", "Not in custody"),
            ("released", "Released within a number of months"),
        ],
    )
    released_within_months = forms.IntegerField(label="Released within (months)", required=False, min_value=1)
    sources = forms.MultipleChoiceField(
        label="Referral sources", choices=list(REFERRAL_SOURCE_WORDS.items()), required=False
    )

    def parameters(self) -> dict[str, Any]:
        """The rule's parameters from the fields for its kind (left for the service to check)."""
        d = self.cleaned_data
        kind = d.get("kind")
        if kind == Kind.AGE_RANGE:
            params: dict[str, Any] = {"at": d.get("age_at") or "today"}
            if d.get("min_age") is not None:
                params["min"] = d["min_age"]
            if d.get("max_age") is not None:
                params["max"] = d["max_age"]
            return params
        if kind == Kind.GENDER:
            return {"genders": d.get("genders") or []}
        if kind == Kind.HOME_AREA:
            return {"areas": [a.strip() for a in (d.get("areas") or "").split(",") if a.strip()]}
        if kind == Kind.PROGRAMME:
            return {"programmes": d.get("programmes") or []}
        if kind == Kind.REFERRAL_SOURCE:
            return {"sources": d.get("sources") or []}
        custody = d.get("custody")
        if custody == "released":
            return {"released_within_months": d.get("released_within_months")}
        if custody in ("in", "out"):
            return {"in_custody": custody == "in"}
        return {}


class AllocateForm(forms.Form):
    stream = forms.UUIDField(error_messages={"required": "Choose a stream.", "invalid": "Choose a stream."})
    override_reason = forms.CharField(
        label="Reason to fund despite the rules (managers only)", required=False, widget=forms.Textarea, max_length=2000
    )


class UnfundedForm(forms.Form):
    reason = forms.CharField(
        label="Why take this case on unfunded",
        widget=forms.Textarea,
        max_length=2000,
        error_messages={"required": "Give the reason."},
    )


class WaitingListForm(forms.Form):
    stream = forms.UUIDField(required=False, error_messages={"invalid": "Choose a stream."})
    note = forms.CharField(label="Note", required=False, max_length=2000)


class DecideForm(forms.Form):
    work = forms.UUIDField(error_messages={"required": "Choose the request.", "invalid": "Choose the request."})
    decision = forms.ChoiceField(
        label="Decision",
        choices=[(UnfundedDecision.APPROVED, "Approve"), (UnfundedDecision.DECLINED, "Decline")],
        error_messages={"required": "Approve or decline."},
    )
    decision_reason = forms.CharField(
        label="Reason", widget=forms.Textarea, max_length=2000, error_messages={"required": "Give the reason."}
    )


class TargetForm(forms.Form):
    """Set a target: the number for one measure (choosing a measure that has one changes it)."""

    measure = forms.ChoiceField(
        label="What the target counts",
        choices=[("", "Choose"), *TargetMeasure.choices],
        error_messages={
            "required": "Choose what the target counts.",
            "invalid_choice": "Choose what the target counts.",
        },
    )
    target = forms.IntegerField(
        label="Target (number of people)",
        min_value=0,
        max_value=1_000_000,
        error_messages={
            "required": "Enter the target.",
            "invalid": "Enter the target as a whole number, like 20.",
            "min_value": "The target cannot be below 0.",
            "max_value": "The target must be 1,000,000 or fewer.",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=200,
        help_text="The funder's own wording, if it helps.",
        error_messages={"max_length": "Keep the note to 200 characters or fewer."},
    )
