from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from keyworker.casework.models import Pathway
from keyworker.custody.models import (
    ChargeSource,
    EstablishmentKind,
    HearingKind,
    HearingOutcome,
    LegalStatus,
    NeedStatus,
    ReleaseType,
)

CHOOSE = [("", "Choose")]
DATE_ERRORS = {"invalid": "Enter a real date, like 2026-11-27."}
TIME_ERRORS = {"invalid": "Enter a time, like 10:00."}


def _date(label: str, *, required: bool = False, help_text: str = "", required_message: str = "") -> forms.DateField:
    errors = dict(DATE_ERRORS)
    if required_message:
        errors["required"] = required_message
    return forms.DateField(label=label, required=required, help_text=help_text, error_messages=errors)


class DirectoryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Prisons and courts"), ("prisons", "Prisons"), ("courts", "Courts")],
    )
    q = forms.CharField(label="Name contains", required=False, max_length=100)


class EstablishmentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind", choices=CHOOSE + list(EstablishmentKind.choices), error_messages={"required": "Choose the kind."}
    )
    name = forms.CharField(label="Name", max_length=120, error_messages={"required": "Enter the name."})
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea, max_length=1000)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(
        label="Email", required=False, error_messages={"invalid": "Enter an email address, like visits@example.org."}
    )
    visiting_arrangements = forms.CharField(
        label="Visiting arrangements",
        required=False,
        widget=forms.Textarea,
        max_length=5000,
        help_text="How to book social and legal visits, times, what to bring.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EpisodeForm(forms.Form):
    """Opening a custody episode, or changing its details (`editing` hides what only opening asks)."""

    establishment = forms.ChoiceField(
        label="Prison",
        choices=[],
        error_messages={"required": "Choose the prison.", "invalid_choice": "Choose the prison."},
    )
    prison_number = forms.CharField(label="Prison number", required=False, max_length=20)
    legal_status = forms.ChoiceField(label="Status", choices=LegalStatus.choices, initial=LegalStatus.SENTENCED)
    received_on = _date("Went into custody on", required=True, required_message="Enter the date they went in.")
    sentenced_on = _date("Sentenced on")
    sentence_length = forms.CharField(
        label="Sentence", required=False, max_length=60, help_text="As the court gave it, e.g. 3 years."
    )
    release_on = _date("Expected release date", help_text="The countdown and the release plan run from this date.")
    release_type = forms.ChoiceField(
        label="Kind of release", required=False, choices=CHOOSE + list(ReleaseType.choices)
    )
    licence_ends_on = _date("Licence ends on")
    probation_practitioner = forms.CharField(label="Probation practitioner", required=False, max_length=120)
    probation_phone = forms.CharField(label="Probation phone", required=False, max_length=40)
    probation_email = forms.EmailField(
        label="Probation email", required=False, error_messages={"invalid": "Enter an email address."}
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, prisons: list[tuple[str, str]], editing: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = CHOOSE + prisons  # type: ignore[attr-defined]
        if editing:  # the prison changes by a transfer, which keeps the history
            del self.fields["establishment"]


class TransferForm(forms.Form):
    to_establishment = forms.ChoiceField(
        label="Moved to",
        choices=[],
        error_messages={
            "required": "Choose the prison they moved to.",
            "invalid_choice": "Choose the prison they moved to.",
        },
    )
    transferred_on = _date("Date of the move", required=True, required_message="Enter the date of the move.")
    prison_number = forms.CharField(
        label="New prison number", required=False, max_length=20, help_text="Only if the new prison gave a new one."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, prisons: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["to_establishment"].choices = CHOOSE + prisons  # type: ignore[attr-defined]


class ReleaseForm(forms.Form):
    released_on = _date("Released on", required=True, required_message="Enter the date of release.")
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=NeedStatus.choices, error_messages={"required": "Choose a status."}
    )
    note = forms.CharField(label="What happened", required=False, widget=forms.Textarea, max_length=5000)
    version = forms.IntegerField(widget=forms.HiddenInput)


class NeedAddForm(forms.Form):
    title = forms.CharField(
        label="What is needed", max_length=200, error_messages={"required": "Enter what is needed."}
    )
    pathway = forms.ChoiceField(
        label="Pathway", choices=CHOOSE + list(Pathway.choices), error_messages={"required": "Choose the pathway."}
    )
    due_on = _date("Settle by", help_text="On or before the release date.")


class ChargeForm(forms.Form):
    offence = forms.CharField(
        label="Offence, as charged", max_length=200, error_messages={"required": "Enter the offence as charged."}
    )
    source = forms.ChoiceField(
        label="Where this comes from",
        choices=CHOOSE + list(ChargeSource.choices),
        error_messages={"required": "Say where this comes from."},
    )
    source_detail = forms.CharField(
        label="Source detail", required=False, max_length=200, help_text="For example the solicitor's name or a date."
    )


def _at(day: dt.date | None, at: dt.time | None) -> dt.datetime | None:
    if day is None or at is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, at))


class HearingForm(forms.Form):
    court = forms.ChoiceField(
        label="Court",
        choices=[],
        error_messages={"required": "Choose the court.", "invalid_choice": "Choose the court."},
    )
    on = _date("Date", required=True, required_message="Enter the date of the hearing.")
    at = forms.TimeField(label="Time", error_messages={**TIME_ERRORS, "required": "Enter the time of the hearing."})
    kind = forms.ChoiceField(
        label="What the hearing is",
        choices=CHOOSE + list(HearingKind.choices),
        error_messages={"required": "Choose what the hearing is."},
    )
    description = forms.CharField(label="Details", required=False, max_length=300)
    charges = forms.MultipleChoiceField(label="Charges (alleged)", required=False, choices=[])

    def __init__(self, *args: Any, courts: list[tuple[str, str]], charges: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["court"].choices = CHOOSE + courts  # type: ignore[attr-defined]
        self.fields["charges"].choices = charges  # type: ignore[attr-defined]

    def starts_at(self) -> dt.datetime | None:
        return _at(self.cleaned_data.get("on"), self.cleaned_data.get("at"))


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=CHOOSE + list(HearingOutcome.choices),
        error_messages={"required": "Choose the outcome."},
    )
    outcome_detail = forms.CharField(
        label="Notes on the outcome", required=False, widget=forms.Textarea, max_length=5000
    )
    sentence_length = forms.CharField(
        label="Sentence", required=False, max_length=60, help_text="For a custodial sentence, as the court gave it."
    )
    next_on = _date("Adjourned to (date)")
    next_at = forms.TimeField(label="Adjourned to (time)", required=False, error_messages=TIME_ERRORS)
    next_kind = forms.ChoiceField(
        label="Next hearing is", required=False, choices=[("", "Same as this one"), *HearingKind.choices]
    )
    establishment = forms.ChoiceField(
        label="Prison they were taken to",
        required=False,
        choices=[],
        error_messages={"invalid_choice": "Choose the prison they were taken to."},
    )
    prison_number = forms.CharField(label="Prison number", required=False, max_length=20)
    release_on = _date("Expected release date")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, prisons: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = CHOOSE + prisons  # type: ignore[attr-defined]

    def next_starts_at(self) -> dt.datetime | None:
        day, at = self.cleaned_data.get("next_on"), self.cleaned_data.get("next_at")
        return _at(day, at or (dt.time(10, 0) if day else None))


class OutcomeCorrectionForm(forms.Form):
    outcome_detail = forms.CharField(
        label="Notes on the outcome", required=False, widget=forms.Textarea, max_length=5000
    )
    sentence_length = forms.CharField(label="Sentence", required=False, max_length=60)
    version = forms.IntegerField(widget=forms.HiddenInput)
