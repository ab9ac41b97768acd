"""Forms for milestones, jobs and homes, their checks, and proven offences. The services decide what is valid;
these only parse."""

from __future__ import annotations

from django import forms

from keyworker.outcomes.models import EvidenceKind, MilestoneKind, SpellKind
from keyworker.outcomes.rules.milestones import HAND_RECORDED_EVIDENCE
from keyworker.outcomes.services.milestones import CHECK_EVIDENCE_KINDS

DATE_INVALID = "Enter a real date, like 2027-01-31."
MAX_VERSION = 2_147_483_647

HAND_KINDS = [(value, label) for value, label in MilestoneKind.choices if value in HAND_RECORDED_EVIDENCE]
HAND_EVIDENCE = [(value, label) for value, label in EvidenceKind.choices if value != EvidenceKind.COMPUTED]


def _date(label: str, required_message: str, **kwargs: object) -> forms.DateField:
    return forms.DateField(
        label=label,
        error_messages={"required": required_message, "invalid": DATE_INVALID},
        **kwargs,  # type: ignore[arg-type]
    )


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(
        label="Milestone",
        choices=[("", "Choose a milestone"), *HAND_KINDS],
        help_text="Sustained work and housing, completed courses and no proven reoffending are worked out from "
        "the records, not recorded here.",
        error_messages={"required": "Choose which milestone was reached."},
    )
    achieved_on = _date("Date reached", "Enter the date it was reached.")
    evidence_kind = forms.ChoiceField(
        label="Evidence",
        choices=[("", "Choose the kind of evidence"), *HAND_EVIDENCE],
        help_text="Drug-free: a test or self-report. Left the group: self-report only.",
        error_messages={"required": "Choose the kind of evidence."},
    )
    evidence = forms.CharField(
        label="What was seen or said, and by whom",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say what was seen or said, and by whom."},
    )
    detail = forms.CharField(
        label="Detail",
        required=False,
        max_length=200,
        help_text="The course, training, job or qualification.",
    )


class SpellForm(forms.Form):
    kind = forms.ChoiceField(
        label="Work or accommodation",
        choices=[("", "Choose work or accommodation"), *SpellKind.choices],
        error_messages={"required": "Choose work or accommodation."},
    )
    description = forms.CharField(
        label="Description",
        max_length=200,
        help_text="The employer and role, or the kind of home (not the address).",
        error_messages={"required": "Say the employer and role, or the kind of home."},
    )
    started_on = _date("Started on", "Enter the date it started.")


class SpellCheckForm(forms.Form):
    still_going = forms.TypedChoiceField(
        label="Still going?",
        choices=[("yes", "Yes, still going"), ("no", "No, it has ended")],
        coerce=lambda v: v == "yes",
        error_messages={"required": "Say whether it is still going."},
    )
    checked_on = _date("Date of the check", "Enter the date of the check.")
    evidence_kind = forms.ChoiceField(
        label="How you know",
        choices=[("", "Choose how you know"), *[(k.value, k.label) for k in CHECK_EVIDENCE_KINDS]],
        error_messages={"required": "Choose how you know."},
    )
    note = forms.CharField(
        label="Evidence", required=False, max_length=300, help_text="e.g. payslip seen, landlord rang."
    )


class ProvenOffenceForm(forms.Form):
    description = forms.CharField(
        label="Offence", max_length=200, error_messages={"required": "Say what the offence was."}
    )
    offence_on = _date("Date committed", "Enter the date of the offence.")
    proven_on = _date("Date proven", "Enter the date it was proven.", help_text="The conviction or caution.")
    source = forms.CharField(
        label="Source",
        max_length=200,
        help_text="e.g. court result, probation.",
        error_messages={"required": "Say where you learned it was proven."},
    )
