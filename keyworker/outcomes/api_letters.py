"""JSON endpoints for letters about a client: list them, draft one from the records, change a draft (send the
version you read), save it as a PDF (after which it never changes), and download the PDF. Letters follow the
client's record: in reach exactly when the client is; every response showing one writes a view audit event.
Thin, over the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Status

from keyworker.accounts.models import User
from keyworker.api.common import actor_of, record_id, reference_id
from keyworker.api.schemas import READ_ERRORS, WRITE_ERRORS, ClientRef, InputSchema, RecordOut, StaffRef
from keyworker.audit.services import client_viewed
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.outcomes.models import Letter, LetterStatus, LetterTemplate
from keyworker.outcomes.selectors.letters import letter_get_for, letters_for
from keyworker.outcomes.services import letters as letter_services
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for

router = Router(tags=["letters"])

MAX_VERSION = 2_147_483_647


class LetterOut(RecordOut):
    client: ClientRef
    kind: str
    template_id: uuid.UUID | None
    addressee: str
    body: str = Field(description="The wording. Gaps with nothing recorded are marked [missing: name].")
    status: str = Field(description="draft (can change) or final (saved as a PDF; never changes).")
    written_by: StaffRef
    finalised_at: dt.datetime | None
    pdf_url: str | None = Field(description="Where to download the PDF, once final.")

    @staticmethod
    def resolve_pdf_url(obj: Letter) -> str | None:
        if obj.status != LetterStatus.FINAL:
            return None
        return reverse("api:letter_pdf", args=[obj.pk])


class LetterDraftIn(InputSchema):
    template_id: str | None = Field(
        None, description="A letter template in use; leave out for a character reference in the default wording."
    )


class LetterUpdateIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The letter's `version` as you read it.")
    addressee: str = Field(max_length=200)
    body: str = Field(max_length=letter_services.LETTER_BODY_MAX_CHARS)


class LetterFinaliseIn(InputSchema):
    version: int = Field(ge=1, le=MAX_VERSION, description="The letter's `version` as you read it.")


def _client(actor: User, client_id: str) -> Client:
    return client_get_for(actor, record_id(client_id))


def _letter(actor: User, letter_id: str, *, with_pdf: bool = False) -> Letter:
    return letter_get_for(actor, record_id(letter_id), with_pdf=with_pdf)


@router.get(
    "/clients/{client_id}/letters",
    response={200: list[LetterOut], **READ_ERRORS},
    summary="A client's letters, newest first",
)
def list_letters(request: HttpRequest, client_id: str) -> list[Letter]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    letters = list(letters_for(actor, client))
    client_viewed(actor=actor, client_id=client.pk, obj=client, what="api:letters")
    return letters


@router.post(
    "/clients/{client_id}/letters",
    response={201: LetterOut, **WRITE_ERRORS},
    summary="Draft a letter from the client's records (addressed to the court of the next hearing)",
)
def draft_letter(request: HttpRequest, client_id: str, payload: LetterDraftIn) -> Status[Letter]:
    actor = actor_of(request)
    client = _client(actor, client_id)
    template = None
    template_id = reference_id(
        payload.template_id,
        field="template_id",
        detail="There is a problem with this letter.",
        message="Give the id of a letter template in use.",
    )
    if template_id is not None:
        template = LetterTemplate.objects.filter(pk=template_id, is_active=True).first()
        if template is None:  # templates hold no client data: saying it is not in use reveals nothing
            raise ValidationFailed(
                "There is a problem with this letter.", {"template_id": ["No letter template in use has that id."]}
            )
    letter = letter_services.letter_draft(actor=actor, client=client, template=template)
    return Status(201, letter)


@router.put(
    "/letters/{letter_id}",
    response={200: LetterOut, **WRITE_ERRORS},
    summary="Change a draft letter (send the version you read; 409 if someone saved first; a final letter is 422)",
)
def update_letter(request: HttpRequest, letter_id: str, payload: LetterUpdateIn) -> Letter:
    actor = actor_of(request)
    letter = _letter(actor, letter_id)
    return letter_services.letter_update(
        actor=actor,
        letter=letter,
        expected_version=payload.version,
        addressee=payload.addressee,
        body=payload.body,
    )


@router.post(
    "/letters/{letter_id}/finalise",
    response={200: LetterOut, **WRITE_ERRORS},
    summary="Save a draft letter as a PDF (refused while it has [missing: …] gaps); it never changes after",
)
def finalise_letter(request: HttpRequest, letter_id: str, payload: LetterFinaliseIn) -> Letter:
    actor = actor_of(request)
    letter = _letter(actor, letter_id)
    return letter_services.letter_finalise(actor=actor, letter=letter, expected_version=payload.version)


@router.get(
    "/letters/{letter_id}/pdf",
    response={**READ_ERRORS},
    url_name="letter_pdf",
    summary="A final letter's PDF (a draft has none: 404)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The letter as a PDF, as an attachment.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def letter_pdf(request: HttpRequest, letter_id: str) -> HttpResponse:
    actor = actor_of(request)
    letter = _letter(actor, letter_id, with_pdf=True)
    if letter.status != LetterStatus.FINAL or not letter.pdf:
        raise NotFound()
    client_viewed(actor=actor, client_id=letter.client_id, obj=letter, what="api:letter_pdf")
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter_services.letter_filename(letter)}"'
    response["Cache-Control"] = "no-store"
    return response
