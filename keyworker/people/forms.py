"""Forms for a client's own details."""

from __future__ import annotations

from typing import Any

from django import forms

from keyworker.people.models import Client, Ethnicity, Gender

MAX_VERSION = 2_147_483_647  # the largest value the version column holds on every database

ETHNICITY_HINT = (
    "As they describe themselves. Ask only when it is right to: it is used, in numbers only, to check the "
    "service reaches everyone fairly."
)

# The fields the "About" form changes, in the order the page asks them (names as on the model).
ABOUT_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "gender_description",
    "pronouns",
    "ethnicity",
    "home_area",
)


class ClientAboutForm(forms.Form):
    """Who the person is: names, date of birth, gender, ethnicity and home area."""

    first_name = forms.CharField(label="First name", max_length=100, error_messages={"required": "Enter a first name."})
    last_name = forms.CharField(label="Last name", max_length=100, required=False)
    preferred_name = forms.CharField(
        label="Name they go by", max_length=100, required=False, help_text="Leave blank if it is their first name."
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        required=False,
        error_messages={"invalid": "Enter a real date of birth, for example 2004-03-27."},
    )
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices)
    gender_description = forms.CharField(
        label="Gender in their own words", max_length=100, required=False, help_text="Only if they want it recorded."
    )
    pronouns = forms.CharField(label="Pronouns", max_length=40, required=False)
    ethnicity = forms.ChoiceField(
        label="Ethnicity",
        required=False,
        choices=[("", "Not asked"), *Ethnicity.choices],
        help_text=ETHNICITY_HINT,
    )
    home_area = forms.CharField(
        label="Home area", max_length=100, required=False, help_text="Borough or neighbourhood."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)

    @classmethod
    def for_client(cls, client: Client, data: Any = None) -> ClientAboutForm:
        """The form filled from the record (unbound), or bound to what was posted."""
        initial = {name: getattr(client, name) for name in ABOUT_FIELDS}
        initial["version"] = client.version
        return cls(data, initial=initial)

    def changes(self, client: Client) -> dict[str, object]:
        """Only what differs from the record, so an unchanged save writes nothing and blames nobody."""
        return {
            name: self.cleaned_data[name] for name in ABOUT_FIELDS if self.cleaned_data[name] != getattr(client, name)
        }
