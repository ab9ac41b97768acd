"""Forms for risk reviews and the safety plan. The services decide what is valid; these only parse."""

from __future__ import annotations

from django import forms

from keyworker.safeguarding.models import RelocationStatus, RiskLevel, RiskReviewOccasion

DATE_INVALID = "Enter a real date, like 2027-01-31."
MAX_VERSION = 2_147_483_647


def _level(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=RiskLevel.choices,
        error_messages={"required": f"Choose the {label.lower()}: low, medium, high or very high."},
    )


class RiskReviewForm(forms.Form):
    occasion = forms.ChoiceField(
        label="What prompted this review",
        choices=RiskReviewOccasion.choices,
        error_messages={"required": "Choose what prompted this review."},
    )
    risk_to_self = _level("Risk to self")
    risk_to_others = _level("Risk to others")
    risk_from_others = _level("Risk from others")
    reasons = forms.CharField(
        label="Reasons",
        widget=forms.Textarea,
        max_length=5000,
        help_text="What you know and from whom, and why you judged each level so.",
        error_messages={"required": "Say why you judged the risk this way: the reasons are the record."},
    )
    next_review_on = forms.DateField(
        label="Next review",
        error_messages={"required": "Enter the date of the next review.", "invalid": DATE_INVALID},
    )
    # The date last suggested: a date the reviewer has not changed is replaced when the levels change.
    suggested = forms.DateField(required=False, widget=forms.HiddenInput)


class SafetyPlanForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    safe_areas = forms.CharField(
        label="Safe areas",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="Where they can go safely. Unsafe areas come from the safety profile.",
    )
    safe_contacts = forms.CharField(
        label="Safe contacts",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="People and places they can go to.",
    )
    emergency_plan = forms.CharField(
        label="What to do in an emergency",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say what to do in an emergency."},
    )
    relocation_status = forms.ChoiceField(
        label="Relocation", choices=RelocationStatus.choices, initial=RelocationStatus.NOT_NEEDED
    )
    moved_on = forms.DateField(
        label="Date they moved",
        required=False,
        help_text="Only once they have moved.",
        error_messages={"invalid": DATE_INVALID},
    )
    next_check_in_on = forms.DateField(
        label="Next check-in after the move", required=False, error_messages={"invalid": DATE_INVALID}
    )
