"""Schemas every app's API shares: errors, references to other records, pages, and the input base."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from ninja import Field, Schema
from pydantic import model_validator

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000


class ErrorOut(Schema):
    detail: str = Field(examples=["Not found."])


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
    400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ValidationErrorOut,
}
