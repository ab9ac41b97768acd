"""The Justice Data Lab export form. It only parses: the service decides what is valid (a reason is required
to download, not to preview the number of people)."""

from __future__ import annotations

from django import forms

DATE_ERRORS = {"invalid": "Enter a real date, like 2027-01-31."}


class JdlForm(forms.Form):
    stream = forms.ChoiceField(label="Funding stream", error_messages={"required": "Choose the funding stream."})
    since = forms.DateField(
        label="From", error_messages={"required": "Enter the first day of the period.", **DATE_ERRORS}
    )
    until = forms.DateField(label="To", error_messages={"required": "Enter the last day of the period.", **DATE_ERRORS})
    reason = forms.CharField(
        label="Reason for sending",
        required=False,
        max_length=300,
        help_text="The data sharing agreement or request the file is sent under (recorded as the basis of each "
        "person's disclosure).",
        error_messages={"max_length": "Keep the reason to 300 characters or fewer."},
    )
    file_format = forms.ChoiceField(
        label="File format",
        choices=[("xlsx", "Excel (XLSX)"), ("csv", "CSV")],
        initial="xlsx",
        required=False,
        error_messages={"invalid_choice": "Choose Excel (XLSX) or CSV."},
    )

    def __init__(self, *args: object, streams: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["stream"].choices = [("", "Choose"), *streams]  # type: ignore[attr-defined]
        self.fields["stream"].error_messages["invalid_choice"] = "Choose the funding stream."
