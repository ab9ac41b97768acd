from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

DEFAULT_DAYS = 30
LONGEST_PERIOD = dt.timedelta(days=366)


def _day(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date like 2026-11-27."},
    )


class _Period(forms.Form):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        end = cleaned.get("to") or timezone.localdate()
        start = cleaned.get("from") or end - dt.timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise forms.ValidationError("The start of the period must be on or before its end.")
        if end - start > LONGEST_PERIOD:
            raise forms.ValidationError("Choose a period of a year or less.")
        cleaned.update({"from": start, "to": end})
        return cleaned


# ?from=YYYY-MM-DD&to=YYYY-MM-DD ("from" is a Python keyword, so the fields are given by name). A missing
# end is today; a missing start is 30 days before the end.
PeriodForm: type[_Period] = type("PeriodForm", (_Period,), {"from": _day("From"), "to": _day("To")})
