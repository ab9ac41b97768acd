"""The form that asks for a funder report: a stream, and one of the last four complete quarters or a period of
your own. The service decides what is valid; this only parses."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from keyworker.funding.models import FundingStream
from keyworker.outcomes.services.funder_reports import Quarter

DATE_INVALID = "Enter a real date, like 2027-01-31."
CUSTOM = "custom"


class FunderReportRequestForm(forms.Form):
    stream = forms.ChoiceField(
        label="Funding stream",
        error_messages={"required": "Choose a funding stream.", "invalid_choice": "Choose a funding stream."},
    )
    period = forms.ChoiceField(
        label="Period",
        error_messages={"required": "Choose a period.", "invalid_choice": "Choose a period."},
    )
    since = forms.DateField(label="First day", required=False, error_messages={"invalid": DATE_INVALID})
    until = forms.DateField(label="Last day", required=False, error_messages={"invalid": DATE_INVALID})

    def __init__(self, *args: Any, streams: list[FundingStream], quarters: list[Quarter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.streams = {str(s.pk): s for s in streams}
        self.quarters = {q.key: q for q in quarters}
        stream_field, period_field = self.fields["stream"], self.fields["period"]
        assert isinstance(stream_field, forms.ChoiceField) and isinstance(period_field, forms.ChoiceField)
        stream_field.choices = [("", "Choose a stream"), *((str(s.pk), str(s)) for s in streams)]
        period_field.choices = [*((q.key, q.label) for q in quarters), (CUSTOM, "Another period")]

    def chosen_stream(self) -> FundingStream | None:
        return self.streams.get(self.cleaned_data.get("stream") or "")

    def chosen_period(self) -> tuple[dt.date | None, dt.date | None]:
        period = self.cleaned_data.get("period") or ""
        if period in self.quarters:
            return self.quarters[period].since, self.quarters[period].until
        return self.cleaned_data.get("since"), self.cleaned_data.get("until")
