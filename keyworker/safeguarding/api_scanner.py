"""The disclosure scanner over JSON: POST a note, get back the possible disclosures with the phrase that triggered
each. Casework roles only; a client named in the body must be one the caller records on (else 404, like any record
out of reach). The note is scanned and forgotten: not saved, logged or audited (docs/decisions/0026)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema

from keyworker.api.common import actor_of, reference_id
from keyworker.api.schemas import WRITE_ERRORS, InputSchema
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.people.selectors import client_get_for
from keyworker.safeguarding.scanner import CATEGORY_LABELS, CONCERN_CATEGORY_FOR, SCANNER_CATEGORIES, scan
from keyworker.safeguarding.selectors.scanner import scanner_rules

router = Router(tags=["safeguarding"])

MAX_NOTE_CHARS = 20_000


class NoteScanIn(InputSchema):
    note: str = Field(..., max_length=MAX_NOTE_CHARS, description="The note as typed; it is not stored.")
    client_id: str | None = Field(
        None, description="The client the note is about; when given, they must be in your reach."
    )


class FindingOut(Schema):
    category: str = Field(..., json_schema_extra={"enum": list(SCANNER_CATEGORIES)})
    label: str
    phrase: str = Field(..., description="The exact text of the note that matched.")
    start: int = Field(..., description="Offset of the first character of `phrase` in the note.")
    end: int = Field(..., description="Offset just after its last character: note[start:end] == phrase.")
    concern_category: str = Field(..., description="The concern category to offer when recording a concern.")


@router.post(
    "/notes/scan",
    response={200: list[FindingOut], **WRITE_ERRORS},
    summary="Point out possible disclosures in a note (suggestions only; the note is not stored)",
)
def scan_note(request: HttpRequest, payload: NoteScanIn) -> list[dict[str, object]]:
    actor = actor_of(request)
    if not policy.can_use_casework(actor):
        raise NotFound()
    client_id = reference_id(
        payload.client_id, field="client_id", detail="There is a problem with the client.", message="Not a client id."
    )
    if client_id is not None:
        client = client_get_for(actor, client_id)  # NotFound when out of reach
        if not policy.can_record_on(actor, client):
            raise NotFound()
    return [
        {
            **finding.as_dict(),
            "label": CATEGORY_LABELS[finding.category],
            "concern_category": CONCERN_CATEGORY_FOR[finding.category],
        }
        for finding in scan(payload.note, scanner_rules())
    ]
