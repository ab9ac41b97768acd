"""Forms for staff accounts: making a personal API token."""

from __future__ import annotations

from django import forms

from keyworker.accounts.models import ApiScope
from keyworker.accounts.services import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, TOKEN_NAME_MAX_LENGTH

EXPIRY_MESSAGE = f"Enter a number of days from 1 to {TOKEN_MAX_DAYS}."


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text="What the token is for, so you can tell your tokens apart. For example, the referrals spreadsheet.",
        error_messages={
            "required": "Enter a name for the token, such as the system that will use it.",
            "max_length": f"The name must be {TOKEN_NAME_MAX_LENGTH} characters or fewer.",
        },
    )
    scopes = forms.MultipleChoiceField(
        label="What the token may do",
        choices=ApiScope.choices,
        help_text="It can never reach more than you can. Choose only what the integration needs.",
        error_messages={
            "required": "Choose what the token may do: read, write or both.",
            "invalid_choice": "Choose read, write or both.",
        },
    )
    expires_in_days = forms.IntegerField(
        label="Expires after (days)",
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        help_text=f"From 1 to {TOKEN_MAX_DAYS} days. The token stops working after this.",
        error_messages={
            "required": EXPIRY_MESSAGE,
            "invalid": EXPIRY_MESSAGE,
            "min_value": EXPIRY_MESSAGE,
            "max_value": EXPIRY_MESSAGE,
        },
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("initial", {"scopes": [ApiScope.READ.value], "expires_in_days": TOKEN_DEFAULT_DAYS})
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
