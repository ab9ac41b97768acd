"""Forms for the DASH checklist, the MARAC referral and NRM tracking. They only shape input; the services
check it (so the pages and the API refuse the same things with the same words)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from keyworker.safeguarding.models import LawfulBasis, NrmDecision
from keyworker.safeguarding.rules import DASH_ANSWERS, DASH_QUESTIONS

DATE_ERRORS = {"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-27."}
YES_NO = [("yes", "Yes"), ("no", "No")]
SHARING_BASES = [(value, label) for value, label in LawfulBasis.choices if value != LawfulBasis.NOT_APPLICABLE]


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, error_messages=DATE_ERRORS)


class DashForm(forms.Form):
    """24 questions (q1..q24), each yes / no / not known; the service names any left unanswered."""

    incidents_in_last_12_months = forms.IntegerField(
        label="How many incidents in the last 12 months?",
        required=False,
        min_value=0,
        max_value=999,
        help_text="Including this one, if known. 3 or more meets the MARAC threshold (potential escalation).",
        error_messages={"invalid": "Enter a number, like 3.", "min_value": "Enter 0 or more."},
    )
    professional_judgement = forms.BooleanField(
        label="In my professional judgement the risk is high (refer to MARAC whatever the score)",
        required=False,
    )
    judgement_reasons = forms.CharField(
        label="Why you judge the risk to be high",
        required=False,
        max_length=10_000,
        widget=forms.Textarea,
        help_text="Needed when you use professional judgement.",
    )
    completed_on = _date("Date completed", required=True)

    def __init__(self, *args: Any, **kwargs: Any):
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        for number, question in enumerate(DASH_QUESTIONS, start=1):
            self.fields[f"q{number}"] = forms.ChoiceField(
                label=f"{number}. {question}", choices=list(DASH_ANSWERS.items()), required=False
            )

    def questions(self) -> list[forms.BoundField]:
        return [self[f"q{number}"] for number in range(1, len(DASH_QUESTIONS) + 1)]

    def answers(self) -> dict[str, str]:
        return {str(n): self.cleaned_data.get(f"q{n}") or "" for n in range(1, len(DASH_QUESTIONS) + 1)}


class MaracForm(forms.Form):
    dash = forms.UUIDField(required=False, widget=forms.HiddenInput)
    marac_area = forms.CharField(label="Which MARAC", max_length=120, required=False, help_text="For example, Lambeth.")
    threshold_reasons = forms.CharField(
        label="Why it meets the MARAC threshold", required=False, max_length=10_000, widget=forms.Textarea
    )
    summary = forms.CharField(
        label="What happened and the current risk", required=False, max_length=10_000, widget=forms.Textarea
    )
    referred_on = _date("Date referred", required=True)
    lawful_basis = forms.ChoiceField(
        label="Lawful basis for sharing with the MARAC",
        choices=SHARING_BASES,
        initial=LawfulBasis.SAFEGUARDING,
        error_messages={"required": "Choose the lawful basis.", "invalid_choice": "Choose the lawful basis."},
    )
    sharing_reasons = forms.CharField(
        label="Why it is right to share this with the MARAC",
        required=False,
        max_length=10_000,
        widget=forms.Textarea,
        help_text="Recorded with the information-sharing decision, e.g. whether the person at risk knows.",
    )


class NrmRecordForm(forms.Form):
    first_responder = forms.CharField(
        label="First responder organisation",
        required=False,
        max_length=150,
        help_text="The agency that made the referral, e.g. the council's modern slavery lead.",
    )
    referred_on = _date("Date referred", required=True)
    is_adult = forms.ChoiceField(
        label="Is the person an adult?",
        choices=YES_NO,
        initial="yes",
        error_messages={"required": "Say whether they are an adult."},
    )
    consent_given = forms.ChoiceField(
        label="Adults: did they consent to the referral?",
        choices=YES_NO,
        required=False,
        help_text="Children need no consent.",
    )
    duty_to_notify_on = _date(
        "Adults who did not consent: date of the Duty to Notify", help_text="The anonymous notice to the Home Office."
    )
    next_chase_on = _date("Next chase", help_text="When to ask the competent authority for news.")
    notes = forms.CharField(label="Notes", required=False, max_length=10_000, widget=forms.Textarea)

    def service_values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["is_adult"] = data["is_adult"] == "yes"
        consent = data.pop("consent_given")
        data["consent_given"] = {"yes": True, "no": False}.get(consent)
        return data


class NrmUpdateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)
    reasonable_grounds = forms.ChoiceField(label="Reasonable-grounds decision", choices=NrmDecision.choices)
    reasonable_grounds_on = _date("Date of the reasonable-grounds decision")
    conclusive_grounds = forms.ChoiceField(label="Conclusive-grounds decision", choices=NrmDecision.choices)
    conclusive_grounds_on = _date("Date of the conclusive-grounds decision")
    next_chase_on = _date("Next chase")
    notes = forms.CharField(label="Notes", required=False, max_length=10_000, widget=forms.Textarea)
