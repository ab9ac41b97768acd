"""Forms for the diary pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from keyworker.diary.models import AppointmentKind

CHOOSE = [("", "Choose")]
TIME_ERRORS = {"invalid": "Enter a time, like 14:30."}


class AppointmentForm(forms.Form):
    """Book an appointment with a client: what kind, when, where."""

    kind = forms.ChoiceField(
        label="Kind of appointment",
        choices=CHOOSE + list(AppointmentKind.choices),
        error_messages={"required": "Choose the kind of appointment."},
    )
    on = forms.DateField(
        label="Date",
        error_messages={"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-27."},
    )
    starts = forms.TimeField(label="Starts", error_messages={"required": "Enter the start time.", **TIME_ERRORS})
    ends = forms.TimeField(label="Ends", error_messages={"required": "Enter the end time.", **TIME_ERRORS})
    location = forms.CharField(label="Where", required=False, max_length=200)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, dt.time) and isinstance(ends, dt.time) and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return data

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["starts"]))

    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["ends"]))
