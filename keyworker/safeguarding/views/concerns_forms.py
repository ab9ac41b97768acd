"""Forms for recording a concern and acting on it. The services do the checking that matters; these only
turn what was typed into values (and say so when a date is not a date)."""

from __future__ import annotations

from typing import Any

from django import forms

from keyworker.safeguarding.models import (
    ConcernAbout,
    ConcernActionKind,
    ConcernCategory,
    ConcernStatus,
    DisclosedBy,
    LawfulBasis,
)

DATE_ERROR = {"invalid": "Enter a real date, for example 27 11 2026."}
SHARING_CHOICES = [("", "Not decided yet"), ("shared", "Shared"), ("not_shared", "Not shared")]
PERSON_FIELDS = ("name", "description", "date_of_birth", "phone", "address", "safe_contact_note")


class ConcernForm(forms.Form):
    about = forms.ChoiceField(
        label="Who is at risk?",
        choices=ConcernAbout.choices,
        error_messages={"required": "Say who is at risk.", "invalid_choice": "Say who is at risk."},
    )
    # About the person at risk when it is not the client. Always shown (a conditional reveal would be nicer,
    # but GOV.UK's puts aria-expanded on radios, which axe-core refuses: govuk-frontend issue 979).
    third_party_description = forms.CharField(
        label="Who they are",
        required=False,
        max_length=150,
        help_text='For example "the client\'s girlfriend" or "his partner\'s son, about 8". A name is not needed.',
    )
    third_party_name = forms.CharField(
        label="Name (optional)", required=False, max_length=150, help_text="Leave blank if not known or not given."
    )
    third_party_date_of_birth = forms.DateField(
        label="Date of birth (optional)", required=False, error_messages=DATE_ERROR
    )
    third_party_phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    third_party_address = forms.CharField(
        label="Address (optional)", required=False, max_length=1000, widget=forms.Textarea
    )
    third_party_safe_contact_note = forms.CharField(
        label="How it is safe to reach them (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="For example: only by phone when he is at work; never by text.",
    )
    category = forms.ChoiceField(
        label="What kind of concern",
        choices=[("", "Choose"), *ConcernCategory.choices],
        error_messages={"required": "Choose what kind of concern it is."},
    )
    disclosed_by = forms.ChoiceField(
        label="Who told you, or how you know",
        choices=[("", "Choose"), *DisclosedBy.choices],
        error_messages={"required": "Say who told you, or how you know."},
    )
    disclosed_on = forms.DateField(
        label="When it was disclosed", error_messages={"required": "Enter the date it was disclosed.", **DATE_ERROR}
    )
    what_was_disclosed = forms.CharField(
        label="What was disclosed",
        widget=forms.Textarea,
        required=False,
        max_length=10_000,
        help_text="Their words if you can, and what you saw. Kept on the concern only, never in the client's notes.",
    )
    review_on = forms.DateField(
        label="Review by (optional)",
        required=False,
        error_messages=DATE_ERROR,
        help_text="Leave blank for 7 days after the disclosure (2 days for a threat to life or a child at risk).",
    )
    first_action_kind = forms.ChoiceField(
        label="What you have done so far", choices=[("", "Nothing yet"), *ConcernActionKind.choices], required=False
    )
    first_action_note = forms.CharField(
        label="About what you did (optional)", required=False, max_length=5000, widget=forms.Textarea
    )
    sharing = forms.ChoiceField(label="Information sharing", choices=SHARING_CHOICES, required=False)
    sharing_shared_with = forms.CharField(label="Shared with (if shared)", required=False, max_length=200)
    sharing_lawful_basis = forms.ChoiceField(
        label="Lawful basis (if shared)",
        choices=[("", "Choose"), *[(v, label) for v, label in LawfulBasis.choices if v != LawfulBasis.NOT_APPLICABLE]],
        required=False,
    )
    sharing_reasons = forms.CharField(
        label="Reasons for the sharing decision",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="Needed if you record a decision: why it was, or was not, shared.",
    )

    def service_values(self) -> dict[str, Any]:
        """The keyword arguments for services.concern_record (apart from actor and client)."""
        data = self.cleaned_data
        about = data["about"]
        values: dict[str, Any] = {
            "about": about,
            "category": data["category"],
            "disclosed_by": data["disclosed_by"],
            "disclosed_on": data["disclosed_on"],
            "what_was_disclosed": data["what_was_disclosed"],
            "review_on": data["review_on"],
            "first_action": {"kind": data["first_action_kind"], "note": data["first_action_note"]},
        }
        if about != ConcernAbout.CLIENT:
            values["third_party"] = {name: data[f"third_party_{name}"] for name in PERSON_FIELDS}
        if data["sharing"]:
            shared = data["sharing"] == "shared"
            values["sharing"] = {
                "shared": shared,
                "shared_with": data["sharing_shared_with"] if shared else "",
                "lawful_basis": data["sharing_lawful_basis"] if shared else "",
                "reasons": data["sharing_reasons"],
            }
        return values


class ConcernActionForm(forms.Form):
    kind = forms.ChoiceField(
        label="What was done",
        choices=[("", "Choose"), *ConcernActionKind.choices],
        error_messages={"required": "Choose what was done."},
    )
    taken_on = forms.DateField(
        label="When (optional)", required=False, error_messages=DATE_ERROR, help_text="Leave blank for today."
    )
    note = forms.CharField(label="Note (optional)", required=False, max_length=5000, widget=forms.Textarea)


class SharingForm(forms.Form):
    shared = forms.ChoiceField(
        label="Was information shared?",
        choices=[("yes", "Yes, shared"), ("no", "No, not shared")],
        error_messages={"required": "Say whether information was shared."},
    )
    shared_with = forms.CharField(label="Shared with (if shared)", required=False, max_length=200)
    lawful_basis = forms.ChoiceField(
        label="Lawful basis (if shared)",
        choices=[("", "Choose"), *[(v, label) for v, label in LawfulBasis.choices if v != LawfulBasis.NOT_APPLICABLE]],
        required=False,
    )
    reasons = forms.CharField(label="Reasons", max_length=5000, widget=forms.Textarea, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ConcernStatus.choices)
    note = forms.CharField(
        label="Note (needed to close)",
        required=False,
        max_length=5000,
        widget=forms.Textarea,
        help_text="When closing: what was done, and why nothing more is needed.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ReviewForm(forms.Form):
    review_on = forms.DateField(
        label="Next review", error_messages={"required": "Enter the review date.", **DATE_ERROR}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ThirdPartyForm(forms.Form):
    description = forms.CharField(label="Who they are", max_length=150, required=False)
    name = forms.CharField(label="Name (optional)", required=False, max_length=150)
    date_of_birth = forms.DateField(label="Date of birth (optional)", required=False, error_messages=DATE_ERROR)
    phone = forms.CharField(label="Phone (optional)", required=False, max_length=40)
    address = forms.CharField(label="Address (optional)", required=False, max_length=1000, widget=forms.Textarea)
    safe_contact_note = forms.CharField(
        label="How it is safe to reach them (optional)", required=False, max_length=2000, widget=forms.Textarea
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
