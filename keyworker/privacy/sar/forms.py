"""The officer's forms for subject access requests. They only parse; the services decide what is valid (so the
page and the command line refuse the same things)."""

from __future__ import annotations

from django import forms

DATE_INVALID = "Enter a real date, like 2027-01-31."


class SarSearchForm(forms.Form):
    q = forms.CharField(label="Name or case reference", required=False, max_length=100)


class SarStartForm(forms.Form):
    client = forms.UUIDField(widget=forms.HiddenInput, error_messages={"required": "Choose the person who asked."})
    received_on = forms.DateField(
        label="Date the request was received", required=False, error_messages={"invalid": DATE_INVALID}
    )
    how_received = forms.CharField(
        label="How it came in", required=False, help_text="For example: by letter, in person, by e-mail."
    )
    identity_checked = forms.CharField(
        label="How you checked who they are",
        required=False,
        max_length=600,
        help_text="For example: known to their caseworker, photo ID seen.",
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class SarExtendForm(VersionedForm):
    extended_to = forms.DateField(label="New deadline", required=False, error_messages={"invalid": DATE_INVALID})
    extension_reason = forms.CharField(
        label="Why it needs longer", required=False, widget=forms.Textarea, max_length=2000
    )


class SarSendForm(VersionedForm):
    sent_on = forms.DateField(label="Date sent", required=False, error_messages={"invalid": DATE_INVALID})
    sent_how = forms.CharField(
        label="How it was sent",
        required=False,
        max_length=400,
        help_text="For example: by secure e-mail, handed over in person.",
    )


class SarWithdrawForm(VersionedForm):
    pass
