"""Retention's forms. They only parse: the services decide what is valid."""

from __future__ import annotations

from django import forms

from keyworker.privacy.models import RetentionAction


class ApproveForm(forms.Form):
    reviews = forms.MultipleChoiceField(
        label="Records to remove",
        error_messages={"required": "Choose at least one record to approve.", "invalid_choice": "Reload the queue."},
    )

    def __init__(self, *args: object, choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["reviews"].choices = choices  # type: ignore[attr-defined]


class HoldForm(forms.Form):
    reason = forms.CharField(
        label="Why keep it",
        max_length=1000,
        error_messages={"required": "Say why the record is being kept.", "max_length": "Keep it to 1000 characters."},
    )
    hold_until = forms.DateField(
        label="Review it again on",
        help_text="For example, 2027-06-30.",
        error_messages={
            "required": "Enter the date to review it again.",
            "invalid": "Enter a real date, like 2027-06-30.",
        },
    )


class PolicyForm(forms.Form):
    period_months = forms.IntegerField(
        label="Keep for (months)",
        required=False,
        error_messages={"invalid": "Enter a whole number of months."},
    )
    action = forms.ChoiceField(
        label="Then", choices=RetentionAction.choices, error_messages={"invalid_choice": "Choose delete or anonymise."}
    )
    needs_review = forms.BooleanField(label="The data protection officer approves each removal", required=False)
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
