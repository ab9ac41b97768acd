"""Schemas every app's API shares: errors, references to other records, pages, and the input base."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import model_validator

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000
# Dates a request may name: wide enough for any real record, narrow enough that a date (and a time made from
# it in Europe/London) stays an ordinary one. Before 1847 London's time was "local mean time", 75 seconds off
# UTC, which no ISO 8601 date-time can carry; near year 9999 adding a day overflows.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2199, 12, 31)
MAX_STORED_OFFSET = dt.timedelta(hours=15, minutes=59)
PlausibleDate = Annotated[dt.date, Field(ge=EARLIEST_DATE, le=LATEST_DATE)]


class ErrorOut(Schema):
    detail: str = Field(examples=["Not found."])


class ConflictOut(ErrorOut):
    """A change refused because someone else saved the record after it was read (409). Nothing was saved."""

    current: dict[str, Any] | None = Field(
        None, description="The record as it is saved now, in the same shape as a successful answer.",
    )
    version: int | None = Field(None, description="Its version: send this to save your change over theirs.")


class ValidationErrorOut(Schema):
    detail: str = Field(examples=["There is a problem with this contact."])
    errors: dict[str, list[str]] = Field(
        default_factory=dict, examples=[{"note": ["Enter what happened."]}],
        description="Messages by field; empty when the problem is not about one field.",
    )


class SafetyCheckOut(ValidationErrorOut):
    """A booking refused by the safety check (core.errors.SafetyCheckFailed): the 422 body with its warnings."""

    warnings: list[str] = Field(
        default_factory=list,
        description="Set when the safety check warns: why the booking was not made. Send it again with a "
        "`safety_override_reason` to go ahead. None names anyone you cannot see.",
    )


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class InputSchema(Schema):
    """Base for request bodies: unknown fields are refused, and no text may hold a NUL character
    (PostgreSQL cannot store one, and no person types one)."""

    model_config = {"extra": "forbid"}

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for name, value in data.items():
                if _has_nul(value):
                    raise ValueError(f"{name} contains a character that is not allowed.")
        return data

    @model_validator(mode="after")
    def _offsets_postgresql_can_store(self) -> Any:
        # A time's own offset may be anything to ±23:59; PostgreSQL takes none beyond ±15:59 (a 500 found by
        # fuzzing, decisions/0036). Such a time becomes the same instant in UTC (ordinary offsets are left alone,
        # so nothing else changes); one that has no year in UTC is refused.
        for name in type(self).model_fields:
            value = getattr(self, name)
            offset = value.utcoffset() if isinstance(value, dt.datetime) else None
            if offset is not None and abs(offset) > MAX_STORED_OFFSET:
                try:
                    setattr(self, name, value.astimezone(dt.UTC))
                except (OverflowError, ValueError) as exc:
                    raise ValueError(f"{name} is not a date and time that can be recorded.") from exc
        return self


class QueryParams(Schema):
    """Base for query-string parameters: no text may hold a NUL character (PostgreSQL refuses one in any text
    it is sent, so a search for "drug%00" was a server error there; found by fuzzing, decisions/0036)."""

    @model_validator(mode="before")
    @classmethod
    def _no_nul_characters(cls, data: Any) -> Any:
        # Without extra="forbid", ninja hands "before" validators its DjangoGetter wrapper: look inside it.
        raw = getattr(data, "_obj", data)
        if isinstance(raw, dict):
            for name, value in raw.items():
                if _has_nul(value):
                    raise ValueError(f"{name} contains a character that is not allowed.")
        return data


class PageParams(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=MAX_PAGE_SIZE, description="Records per page."
    )


class PageOut(Schema):
    count: int = Field(description="Records on every page together.")
    page: int
    page_size: int


class StaffRef(Schema):
    id: uuid.UUID
    display_name: str


class TeamRef(Schema):
    id: uuid.UUID
    name: str


class ClientRef(Schema):
    id: uuid.UUID
    display_name: str


class RecordOut(Schema):
    """Fields every record has. Send `version` back with a change: a stale one gets 409."""

    id: uuid.UUID
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


# Errors an endpoint may answer with, for the OpenAPI description.
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ConflictOut, 422: ValidationErrorOut,
}
