"""Forms for letters and letter templates. The services decide what is valid; these only parse."""

from __future__ import annotations

from django import forms

from keyworker.outcomes.services.letters import LETTER_BODY_MAX_CHARS

MAX_VERSION = 2_147_483_647


class LetterForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    addressee = forms.CharField(
        label="To",
        max_length=200,
        help_text="Who the letter is addressed to, for example the presiding Judge and the court.",
        error_messages={"required": "Say who the letter is to, for example the court."},
    )
    body = forms.CharField(
        label="Letter",
        widget=forms.Textarea,
        max_length=LETTER_BODY_MAX_CHARS,
        strip=False,
        help_text="Leave a blank line between paragraphs. Your name and role are added below it.",
        error_messages={"required": "The letter is empty: write what it should say."},
    )


class LetterSentForm(forms.Form):
    sent_to = forms.CharField(
        label="Who it went to",
        max_length=200,
        help_text="For example the court, or the defence solicitor for the court.",
        error_messages={"required": "Say who the letter went to."},
    )
    basis = forms.CharField(
        label="Basis for sharing",
        max_length=300,
        help_text="Usually the client's consent: say when they gave it.",
        error_messages={"required": "Say the consent or lawful basis it was shared on."},
    )


class LetterTemplateForm(forms.Form):
    version = forms.IntegerField(min_value=0, max_value=MAX_VERSION, widget=forms.HiddenInput)
    name = forms.CharField(label="Name", max_length=120, error_messages={"required": "Give the template a name."})
    body = forms.CharField(
        label="Wording",
        widget=forms.Textarea,
        max_length=LETTER_BODY_MAX_CHARS,
        strip=False,
        error_messages={"required": "Write the template's wording."},
    )
    is_active = forms.BooleanField(label="In use: caseworkers draft letters from it", required=False)
