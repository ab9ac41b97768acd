"""The sharing agreement form."""

from __future__ import annotations

from typing import Any

from django import forms

from keyworker.privacy.agreements.services import agreement_problems

DATE_ERRORS = {"invalid": "Enter a real date, like 2026-11-27."}


class AgreementForm(forms.Form):
    partner = forms.CharField(
        label="Partner agency", max_length=200, error_messages={"required": "Enter the partner agency."}
    )
    title = forms.CharField(label="Title", max_length=200, error_messages={"required": "Enter the agreement's title."})
    purpose = forms.CharField(
        label="Purpose",
        widget=forms.Textarea,
        max_length=5000,
        help_text="Why information is shared under it.",
        error_messages={"required": "Say why information is shared under it."},
    )
    lawful_basis = forms.CharField(
        label="Lawful basis",
        max_length=300,
        help_text="The UK GDPR article 6 (and 9 or 10) conditions relied on.",
        error_messages={"required": "Enter the lawful basis it relies on."},
    )
    data_shared = forms.CharField(
        label="What may be shared",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "Say what kinds of information may be shared."},
    )
    starts_on = forms.DateField(
        label="Starts on", error_messages={**DATE_ERRORS, "required": "Enter the date it starts."}
    )
    review_on = forms.DateField(
        label="Review by",
        error_messages={**DATE_ERRORS, "required": "Enter the date it is next to be reviewed."},
    )
    ends_on = forms.DateField(
        label="Ends on", required=False, error_messages=DATE_ERRORS, help_text="Leave blank if it has no end date."
    )
    document_reference = forms.CharField(
        label="Where the signed agreement is kept",
        required=False,
        max_length=300,
        help_text="A reference, such as a folder or a document number.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict[str, Any]:
        """The date rules beside the missing-field messages, so one submit shows every problem."""
        data = super().clean() or {}
        problems = agreement_problems(
            starts_on=data.get("starts_on"),
            review_on=data.get("review_on"),
            ends_on=data.get("ends_on"),
            **{name: "given" for name in ("partner", "title", "purpose", "lawful_basis", "data_shared")},
        )
        for field, messages in problems.items():
            if field in ("ends_on", "review_on") and field not in self.errors:
                self.add_error(field, messages)
        return data
