"""JSON endpoints for clients: thin, over people.selectors; every response showing a client is audited."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from keyworker.api.common import actor_of, page_of, record_id, record_views
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, PageOut, PageParams, RecordOut
from keyworker.audit.services import client_viewed
from keyworker.people import services
from keyworker.people.models import Client, Ethnicity, Gender
from keyworker.people.selectors import client_get_for, client_list_for, client_search_for

router = Router(tags=["clients"])

MAX_VERSION = 2_147_483_647  # the largest value the version column holds on every database

# Search answers are for finding someone: more than this many matches means the words need narrowing.
SEARCH_LIMIT = 200


class ClientSummaryOut(RecordOut):
    """What a list shows: enough to recognise the person."""

    display_name: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: dt.date | None
    home_area: str


class ClientOut(ClientSummaryOut):
    """One client's record, with how it is safe to contact them."""

    gender: str
    gender_description: str
    pronouns: str
    ethnicity: str = Field(
        description="2021 census category as they describe themselves; empty when not asked.",
        json_schema_extra={"enum": ["", *Ethnicity.values]},
    )
    phone: str
    email: str
    address: str
    postcode: str
    may_phone: bool
    may_text: bool
    may_leave_voicemail: bool
    may_write: bool
    code_word: str
    safe_contact_note: str


class ClientAboutIn(InputSchema):
    """A change to who the person is. Send only the fields that change, with the `version` you read."""

    version: int = Field(ge=1, le=MAX_VERSION, description="The client's `version` as you read it; 409 if stale.")
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    preferred_name: str | None = Field(None, max_length=100)
    date_of_birth: dt.date | None = None
    gender: str | None = Field(None, json_schema_extra={"enum": list(Gender.values)})
    gender_description: str | None = Field(None, max_length=100)
    pronouns: str | None = Field(None, max_length=40)
    ethnicity: str | None = Field(
        None,
        description="2021 census category as they describe themselves; empty to clear. Ask only when it is "
        "right to: it is used, in numbers only, to check the service reaches everyone fairly.",
        json_schema_extra={"enum": ["", *Ethnicity.values]},
    )
    home_area: str | None = Field(None, max_length=100, description="Borough or neighbourhood.")


class ClientPageOut(PageOut):
    items: list[ClientSummaryOut]


class ClientSearch(Schema):
    q: str | None = Field(
        None, max_length=200, description="Words that must all match a name, preferred name or case reference."
    )

    @field_validator("q")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("The search contains a character that is not allowed.")
        return value


@router.get("/clients", response={200: ClientPageOut, **READ_ERRORS}, summary="Clients you work with")
def list_clients(request: HttpRequest, search: Query[ClientSearch], paging: Query[PageParams]) -> dict:
    actor = actor_of(request)
    if search.q and search.q.strip():
        clients = client_search_for(actor, search.q, limit=SEARCH_LIMIT)
    else:
        clients = client_list_for(actor).order_by("last_name", "first_name", "id")
    items, count = page_of(clients, paging)
    record_views(actor, ((c.pk, c) for c in items), what="api:client_list")
    return {"count": count, "page": paging.page, "page_size": paging.page_size, "items": items}


@router.get("/clients/{client_id}", response={200: ClientOut, **READ_ERRORS}, summary="A client's record")
def get_client(request: HttpRequest, client_id: str) -> Client:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:client")
    return client


@router.patch("/clients/{client_id}", response={200: ClientOut, **WRITE_ERRORS}, summary="Change a client's details")
def patch_client(request: HttpRequest, client_id: str, payload: ClientAboutIn) -> Client:
    actor = actor_of(request)
    client = client_get_for(actor, record_id(client_id))
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    # Text fields may be cleared with "" but not with null (the columns hold no nulls); the date may be null.
    for name, value in changes.items():
        if value is None and name != "date_of_birth":
            changes[name] = ""
    services.client_update(actor=actor, client=client, expected_version=version, **changes)
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:client")
    return client
