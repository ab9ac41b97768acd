"""Forms for the diary pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from keyworker.diary.models import AppointmentKind
from keyworker.diary.rules import MAX_VISIT_MINUTES, MIN_VISIT_MINUTES, PRISON_VISIT_KINDS, RECORDABLE_STATUSES

CHOOSE = [("", "Choose")]
TIME_ERRORS = {"invalid": "Enter a time, like 14:30."}
DATE_ERRORS = {"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-27."}
MAX_VERSION = 2_147_483_647


def _aware(on: dt.date, at: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(on, at))


class _WhenForm(forms.Form):
    """A date with start and end times (London time)."""

    on = forms.DateField(label="Date", error_messages=DATE_ERRORS)
    starts = forms.TimeField(label="Starts", error_messages={"required": "Enter the start time.", **TIME_ERRORS})
    ends = forms.TimeField(label="Ends", error_messages={"required": "Enter the end time.", **TIME_ERRORS})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, dt.time) and isinstance(ends, dt.time) and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return data

    def starts_at(self) -> dt.datetime:
        return _aware(self.cleaned_data["on"], self.cleaned_data["starts"])

    def ends_at(self) -> dt.datetime:
        return _aware(self.cleaned_data["on"], self.cleaned_data["ends"])


def establishment_choices(establishments: Iterable[Any]) -> list[tuple[str, str]]:
    return [(str(e.pk), f"{e.name} ({e.get_kind_display().lower()})") for e in establishments]


def venue_choices(venues: Iterable[Any]) -> list[tuple[str, str]]:
    return [(str(v.pk), f"{v.name}, {v.postcode}" if v.postcode else v.name) for v in venues]


def safety_override_field() -> forms.CharField:
    """Asked for only when the safety check warns: why go ahead anyway (kept with the booking)."""
    return forms.CharField(
        label="Reason to go ahead",
        required=False,
        max_length=2000,
        widget=forms.Textarea,
        help_text="Why this booking should go ahead despite the warning. It is kept with the booking.",
    )


class AppointmentForm(_WhenForm):
    """Book an appointment with a client: what kind, when, where (a prison or court from the directory, or
    anywhere else), and, for a gate meet or a hearing, which release or hearing it is for."""

    kind = forms.ChoiceField(
        label="Kind of appointment",
        choices=CHOOSE + list(AppointmentKind.choices),
        error_messages={"required": "Choose the kind of appointment."},
    )
    establishment = forms.ChoiceField(label="Prison or court", required=False)
    venue = forms.ChoiceField(label="Venue", required=False)
    location = forms.CharField(label="Where", required=False, max_length=200)
    episode = forms.UUIDField(required=False, widget=forms.HiddenInput)
    hearing = forms.UUIDField(required=False, widget=forms.HiddenInput)
    safety_override_reason = safety_override_field()

    field_order = ["kind", "on", "starts", "ends", "establishment", "venue", "location"]

    def __init__(
        self, *args: Any, establishments: Iterable[Any] = (), venues: Iterable[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = [("", "None: somewhere else"), *establishment_choices(establishments)]  # type: ignore[attr-defined]
        self.fields["venue"].choices = [("", "None"), *venue_choices(venues)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("establishment") and data.get("venue"):
            self.add_error("venue", "Choose a prison or court, or a venue, not both.")
        return data


class AppointmentStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened",
        choices=[(s.value, s.label) for s in RECORDABLE_STATUSES],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened.", "invalid_choice": "Choose what happened."},
    )
    outcome_note = forms.CharField(
        label="Outcome note (optional)",
        required=False,
        widget=forms.Textarea,
        help_text="It goes on the client's timeline as a contact.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


class RescheduleForm(_WhenForm):
    location = forms.CharField(label="Where", required=False, max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)


class PrisonVisitsForm(forms.Form):
    """Thursday: one prison, one day, one kind of visit; the clients and their times are the rows."""

    establishment = forms.ChoiceField(label="Prison", error_messages={"required": "Choose the prison."})
    on = forms.DateField(label="Date", error_messages=DATE_ERRORS)
    kind = forms.ChoiceField(
        label="Kind of visit",
        choices=[(k.value, k.label) for k in PRISON_VISIT_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a social or a professional visit."},
    )
    safety_override_reason = safety_override_field()

    def __init__(self, *args: Any, prisons: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["establishment"].choices = CHOOSE + establishment_choices(prisons)  # type: ignore[attr-defined]


class VisitRowForm(forms.Form):
    """One client's visit: who, when it starts, how long it lasts. A row left blank is ignored."""

    client = forms.ChoiceField(label="Client", required=False)
    starts = forms.TimeField(label="Starts", required=False, error_messages=TIME_ERRORS)
    minutes = forms.IntegerField(
        label="Length in minutes",
        required=False,
        min_value=MIN_VISIT_MINUTES,
        max_value=MAX_VISIT_MINUTES,
        error_messages={
            "invalid": "Enter the length in minutes, like 60.",
            "min_value": f"A visit lasts at least {MIN_VISIT_MINUTES} minutes.",
            "max_value": f"A visit lasts at most {MAX_VISIT_MINUTES // 60} hours.",
        },
    )

    def __init__(self, *args: Any, clients: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = CHOOSE + list(clients)  # type: ignore[attr-defined]

    @property
    def is_blank(self) -> bool:
        # The length comes pre-filled, so a browser posts it in every row: a row is blank without a client and
        # a start time.
        return not any(self.data.get(self.add_prefix(name)) for name in ("client", "starts"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_blank:
            return data
        if not data.get("client") and "client" not in self.errors:
            self.add_error("client", "Choose the client.")
        if data.get("starts") is None and "starts" not in self.errors:
            self.add_error("starts", "Enter the start time.")
        if data.get("minutes") is None and "minutes" not in self.errors:
            self.add_error("minutes", "Enter the length in minutes.")
        return data


VISIT_ROWS = 6


def visit_rows(data: Any, clients: list[tuple[str, str]], initial_minutes: int = 60) -> list[VisitRowForm]:
    """The rows of the group booking page (a fixed number; blank ones are ignored)."""
    return [
        VisitRowForm(data, prefix=f"row-{i}", clients=clients, initial={"minutes": initial_minutes})
        for i in range(VISIT_ROWS)
    ]
