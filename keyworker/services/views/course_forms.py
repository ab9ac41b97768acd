"""Forms for the course pages. The services check everything again; these only read what was typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from keyworker.services.models import AttendanceStatus

CHOOSE = [("", "Choose")]
MAX_VERSION = 2_147_483_647
DATE_ERRORS = {"required": "Enter the date.", "invalid": "Enter a real date, like 2026-11-27."}
TIME_ERRORS = {"required": "Enter the time.", "invalid": "Enter a time, like 14:30."}


def _choices(records: Iterable[Any], label: Any = str) -> list[tuple[str, str]]:
    return [(str(r.pk), label(r)) for r in records]


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)


class VenueForm(forms.Form):
    name = forms.CharField(label="Name", max_length=150, error_messages={"required": "Enter the venue's name."})
    address = forms.CharField(label="Address", required=False, widget=forms.Textarea)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    borough = forms.CharField(label="Borough", required=False, max_length=60)
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)


class CourseForm(forms.Form):
    title = forms.CharField(label="Title", max_length=150, error_messages={"required": "Enter the course's title."})
    provider = forms.ChoiceField(label="Run by", required=False)
    qualification = forms.CharField(
        label="Qualification gained (optional)", required=False, max_length=150,
        help_text="For example, CSCS card, Level 1 Food Hygiene.",
    )
    description = forms.CharField(label="Description (optional)", required=False, widget=forms.Textarea)
    is_active = forms.BooleanField(label="Still offered", required=False, initial=True)
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_VERSION, widget=forms.HiddenInput)

    def __init__(self, *args: Any, providers: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [("", "Us (our own course)"), *_choices(providers)]  # type: ignore[attr-defined]


class CohortForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=100, help_text="For example, January 2027.",
        error_messages={"required": "Enter a name for this cohort."},
    )
    venue = forms.ChoiceField(label="Venue", error_messages={"required": "Choose the venue."})
    starts_on = forms.DateField(label="Starts", error_messages=DATE_ERRORS)
    ends_on = forms.DateField(label="Ends", error_messages=DATE_ERRORS)
    capacity = forms.IntegerField(
        label="Places", min_value=1, max_value=500,
        error_messages={"required": "Enter the number of places.", "invalid": "Enter a whole number."},
    )

    def __init__(self, *args: Any, venues: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = CHOOSE + _choices(venues, lambda v: f"{v.name} ({v.postcode or v.borough})")  # type: ignore[attr-defined]


class SessionForm(forms.Form):
    title = forms.CharField(label="What it covers (optional)", required=False, max_length=150)
    on = forms.DateField(label="Date", error_messages=DATE_ERRORS)
    starts = forms.TimeField(label="Starts", error_messages=TIME_ERRORS)
    ends = forms.TimeField(label="Ends", error_messages=TIME_ERRORS)
    venue = forms.ChoiceField(label="Venue", required=False)

    def __init__(self, *args: Any, venues: Iterable[Any] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["venue"].choices = [("", "The cohort's venue"), *_choices(venues)]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts"), data.get("ends")
        if isinstance(starts, dt.time) and isinstance(ends, dt.time) and ends <= starts:
            self.add_error("ends", "The end time must be after the start time.")
        return data

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["starts"]))

    def ends_at(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.cleaned_data["on"], self.cleaned_data["ends"]))


class EnrolForm(forms.Form):
    """Enrol a client: from a cohort's page (choose the client) or a client's page (choose the cohort)."""

    client = forms.ChoiceField(label="Client", error_messages={"required": "Choose a client."})
    cohort = forms.ChoiceField(label="Course and cohort", error_messages={"required": "Choose a cohort."})
    safety_override_reason = forms.CharField(
        label="Reason to go ahead", required=False, widget=forms.Textarea, max_length=2000,
        help_text="Only if the safety check warned: why this booking is still right.",
    )

    def __init__(
        self, *args: Any, clients: Iterable[Any] | None = None, cohorts: Iterable[Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if clients is None:
            del self.fields["client"]
        else:
            self.fields["client"].choices = CHOOSE + _choices(clients, lambda c: c.display_name)  # type: ignore[attr-defined]
        if cohorts is None:
            del self.fields["cohort"]
        else:
            self.fields["cohort"].choices = CHOOSE + _choices(  # type: ignore[attr-defined]
                cohorts, lambda c: f"{c.course.title}: {c.name}, from {c.starts_on:%-d %B %Y} ({c.venue.name})"
            )


class EnrolmentActionForm(VersionForm):
    action = forms.ChoiceField(
        choices=[("offer", "Offer the place"), ("withdraw", "Withdraw"), ("leave", "Left"), ("complete", "Completed")],
        error_messages={"required": "Choose what to do.", "invalid_choice": "Choose what to do."},
    )
    completed_on = forms.DateField(label="Completed on", required=False, error_messages=DATE_ERRORS)
    qualification_gained = forms.CharField(label="Qualification gained", required=False, max_length=150)
    safety_override_reason = forms.CharField(
        label="Reason to go ahead", required=False, widget=forms.Textarea, max_length=2000
    )


class AttendanceForm(forms.Form):
    session = forms.UUIDField()
    enrolment = forms.UUIDField()
    status = forms.ChoiceField(
        choices=AttendanceStatus.choices,
        error_messages={"required": "Choose attended, late, absent or excused.", "invalid_choice": "Choose one."},
    )
    version = forms.IntegerField(required=False, min_value=1, max_value=MAX_VERSION)
