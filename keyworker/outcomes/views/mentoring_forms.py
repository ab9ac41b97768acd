"""Forms for peer mentoring. The services decide what is valid; these only parse. Each form on the client's
mentoring page has its own prefix, so its fields' ids are unique on the page."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from keyworker.accounts.models import User
from keyworker.outcomes.rules.mentoring import MAX_SESSION_MINUTES, SESSION_NOTE_MAX, SUPERVISION_NOTE_MAX

DATE_INVALID = "Enter a real date, like 2027-01-31."
MAX_VERSION = 2_147_483_647
SESSION_NOTE_HINT = (
    "A few words in your own words: what you did and how it went. No offending, risk or safeguarding here: "
    "tell their keyworker."
)


def _date(label: str, *, required: bool = False, help_text: str = "", required_message: str = "") -> forms.DateField:
    messages = {"invalid": DATE_INVALID}
    if required_message:
        messages["required"] = required_message
    return forms.DateField(label=label, required=required, help_text=help_text, error_messages=messages)


def _people(people: list[User], blank: str) -> list[tuple[str, str]]:
    return [("", blank), *((str(p.pk), p.display_name) for p in people)]


class PathwayForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    interest_on = _date(
        "Said they would like to mentor on",
        required=True,
        required_message="Enter the date they said they would like to mentor.",
    )
    training_completed_on = _date("Mentor training completed on", help_text="Leave blank until they complete it.")
    dbs_checked_on = _date("DBS check: date on the certificate", help_text="A check counts for 3 years.")
    dbs_certificate = forms.CharField(
        label="DBS certificate number", required=False, max_length=20, help_text="12 digits."
    )
    supervisor = forms.ChoiceField(label="Supervisor", required=False, choices=())

    def __init__(self, *args: Any, supervisors: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["supervisor"]).choices = _people(supervisors, "Not yet named")


class SupervisionForm(forms.Form):
    held_on = _date("Date of the supervision", required=True, required_message="Enter the date of the supervision.")
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea,
        max_length=SUPERVISION_NOTE_MAX,
        help_text="How their mentoring is going and any support they need. Name no mentee.",
    )


class LinkAccountForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    account = forms.ChoiceField(
        label="Staff account they mentor from",
        choices=(),
        help_text="An account with the peer mentor role, made by an administrator.",
        error_messages={"required": "Choose the staff account they will mentor from."},
    )
    started_on = _date("Started mentoring on", help_text="Leave blank for today.")

    def __init__(self, *args: Any, accounts: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["account"]).choices = _people(accounts, "Choose an account")


class StartMentoringForm(forms.Form):
    mentor = forms.ChoiceField(
        label="Peer mentor",
        choices=(),
        help_text="Only mentors who are ready (training, a current DBS check, a supervisor) are listed.",
        error_messages={"required": "Choose a peer mentor."},
    )
    started_on = _date("Starting on", help_text="Leave blank for today.")

    def __init__(self, *args: Any, mentors: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mentor"]).choices = _people(mentors, "Choose a mentor")


class SessionForm(forms.Form):
    """A mentoring session, from the client's page (which relationship) or a mentor's own page (one card each)."""

    mentoring = forms.ChoiceField(
        label="Mentoring", choices=(), error_messages={"required": "Choose which mentoring the session was in."}
    )
    held_on = _date("Date of the session", required=True, required_message="Enter the date of the session.")
    duration_minutes = forms.IntegerField(
        label="How long, in minutes",
        min_value=1,
        max_value=MAX_SESSION_MINUTES,
        initial=60,
        error_messages={
            "required": "Enter how long the session was, in minutes.",
            "invalid": "Enter the minutes as a number, like 45.",
            "min_value": f"Enter between 1 and {MAX_SESSION_MINUTES} minutes.",
            "max_value": f"Enter between 1 and {MAX_SESSION_MINUTES} minutes.",
        },
    )
    note = forms.CharField(
        label="Short note",
        required=False,
        widget=forms.Textarea,
        max_length=SESSION_NOTE_MAX,
        help_text=SESSION_NOTE_HINT,
        error_messages={"max_length": f"Keep the note to {SESSION_NOTE_MAX} characters."},
    )

    def __init__(self, *args: Any, relationships: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["mentoring"]).choices = relationships
        if len(relationships) == 1:
            self.fields["mentoring"].widget = forms.HiddenInput()
            self.fields["mentoring"].initial = relationships[0][0]
