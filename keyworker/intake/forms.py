from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from keyworker.casework.models import Programme
from keyworker.intake.models import (
    AgencyKind,
    ConsentMethod,
    LawfulBasis,
    ReferralSource,
    ReferralStatus,
    Schedule1Condition,
    Urgency,
)
from keyworker.people.models import Gender

CHOOSE = [("", "Choose")]
DATE_ERRORS = {"invalid": "Enter a real date, like 2026-11-27."}


class ReferralForm(forms.Form):
    """Few required fields: who referred, why, and a first name. The rest helps, none of it is needed."""

    source = forms.ChoiceField(
        label="Who referred them",
        choices=CHOOSE + list(ReferralSource.choices),
        error_messages={"required": "Choose who referred them."},
    )
    referrer_name = forms.CharField(label="Referrer's name", required=False, max_length=200)
    referrer_organisation = forms.CharField(label="Referrer's organisation", required=False, max_length=200)
    referrer_contact = forms.CharField(label="Referrer's phone or e-mail", required=False, max_length=200)
    reason = forms.CharField(
        label="Why they were referred",
        widget=forms.Textarea,
        max_length=10000,
        error_messages={"required": "Say why they were referred."},
    )
    urgency = forms.ChoiceField(label="How urgent", choices=Urgency.choices, initial=Urgency.ROUTINE)
    received_on = forms.DateField(
        label="Date received", required=False, help_text="Leave blank for now.", error_messages=DATE_ERRORS
    )
    received_time = forms.TimeField(
        label="Time received", required=False, error_messages={"invalid": "Enter a time, like 14:30."}
    )
    first_name = forms.CharField(
        label="First name", max_length=100, error_messages={"required": "Enter the person's first name."}
    )
    last_name = forms.CharField(label="Last name", required=False, max_length=100)
    preferred_name = forms.CharField(label="Name they go by", required=False, max_length=100)
    date_of_birth = forms.DateField(label="Date of birth", required=False, error_messages=DATE_ERRORS)
    gender = forms.ChoiceField(label="Gender", choices=Gender.choices, initial=Gender.NOT_SAID)
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    home_area = forms.CharField(label="Home area", required=False, max_length=100, help_text="Borough or estate.")
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    may_phone = forms.BooleanField(label="May phone", required=False, initial=True)
    may_text = forms.BooleanField(label="May text", required=False, initial=True)
    may_leave_voicemail = forms.BooleanField(label="May leave a voicemail", required=False)
    may_write = forms.BooleanField(label="May write", required=False)
    code_word = forms.CharField(label="Code word", required=False, max_length=60)
    safe_contact_note = forms.CharField(
        label="Safe contact note", required=False, widget=forms.Textarea, max_length=5000
    )

    def received_at(self) -> dt.datetime | None:
        day = self.cleaned_data.get("received_on")
        if day is None:
            return None
        at = self.cleaned_data.get("received_time") or dt.time(9, 0)
        return timezone.make_aware(dt.datetime.combine(day, at))

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("received_on", None)
        data.pop("received_time", None)
        return data


class ContactAttemptForm(forms.Form):
    note = forms.CharField(label="What was tried", required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput)


STEP_CHOICES = [
    (ReferralStatus.ASSESSED.value, ReferralStatus.ASSESSED.label),
    (ReferralStatus.WAITING_LIST.value, ReferralStatus.WAITING_LIST.label),
    (ReferralStatus.DECLINED.value, ReferralStatus.DECLINED.label),
    (ReferralStatus.WITHDRAWN.value, ReferralStatus.WITHDRAWN.label),
]


class ReferralStatusForm(forms.Form):
    status = forms.ChoiceField(label="Next step", choices=STEP_CHOICES, error_messages={"required": "Choose a step."})
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, help_text="Needed when declined or withdrawn."
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AcceptForm(forms.Form):
    programme = forms.ChoiceField(
        label="Programme", choices=CHOOSE + list(Programme.choices), error_messages={"required": "Choose a programme."}
    )
    keyworker = forms.ChoiceField(label="Keyworker", choices=[], required=False)
    existing_client = forms.ChoiceField(label="Is this someone we already know?", choices=[], required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)
    consent_covers_support = forms.BooleanField(label="They agree to support from us", required=False)
    consent_agency_kinds = forms.MultipleChoiceField(
        label="They agree to us sharing with",
        choices=AgencyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    consent_method = forms.ChoiceField(
        label="How they agreed", choices=CHOOSE + list(ConsentMethod.choices), required=False
    )

    NEW = "new"

    def consent(self) -> dict[str, object] | None:
        """consent_record's arguments, if any consent was entered (else None: record it later)."""
        data = self.cleaned_data
        if not (data.get("consent_covers_support") or data.get("consent_agency_kinds") or data.get("consent_method")):
            return None
        return {
            "covers_support": data.get("consent_covers_support", False),
            "agency_kinds": data.get("consent_agency_kinds", []),
            "method": data.get("consent_method", ""),
        }

    def __init__(
        self, *args: object, keyworkers: list[tuple[str, str]], matches: list[tuple[str, str]], **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["keyworker"].choices = [("", "Nobody yet"), *keyworkers]  # type: ignore[attr-defined]
        self.fields["existing_client"].choices = [  # type: ignore[attr-defined]
            *matches,
            (self.NEW, "None of these: they are someone new"),
        ]


class ConsentForm(forms.Form):
    """What the person agreed to, or the other lawful basis relied on."""

    basis = forms.ChoiceField(label="Lawful basis", choices=LawfulBasis.choices, initial=LawfulBasis.CONSENT)
    covers_support = forms.BooleanField(label="Support from us", required=False)
    agency_kinds = forms.MultipleChoiceField(
        label="Sharing with", choices=AgencyKind.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    given_on = forms.DateField(
        label="Date given", required=False, help_text="Leave blank for today.", error_messages=DATE_ERRORS
    )
    method = forms.ChoiceField(
        label="How consent was given", choices=CHOOSE + list(ConsentMethod.choices), required=False
    )
    schedule1_condition = forms.ChoiceField(
        label="DPA 2018 Schedule 1 condition",
        choices=CHOOSE + list(Schedule1Condition.choices),
        required=False,
        help_text="Needed when consent is not the basis.",
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea, max_length=5000)


class WithdrawConsentForm(forms.Form):
    consent = forms.UUIDField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    withdrawn_on = forms.DateField(
        label="Date withdrawn", required=False, help_text="Leave blank for today.", error_messages=DATE_ERRORS
    )
    method = forms.ChoiceField(label="How", choices=CHOOSE + list(ConsentMethod.choices), required=False)
    reason = forms.CharField(label="Why", max_length=2000, error_messages={"required": "Say why."})
