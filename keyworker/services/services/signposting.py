"""Recording signposting: information about a service given to someone who is not a client (a partner, a
parent, a friend). The least personal data possible: "who" is a description, never a name, and nothing here
ever links to a client's file (the audit event carries no client id either). Seen only by the worker who
gave it and the safeguarding lead (policy.signpostings_visible_to)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.services.models import Service, Signposting, SignpostingMethod
from keyworker.services.services._common import refuse

WHO_MAX = 100
NOT_LINKED = "Signposting is never linked to a client's file: record it without naming or linking a client."
# A record id or a link to a client's page in the text would tie the person to a client's file.
_LOOKS_LIKE_A_LINK = re.compile(
    r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}|/clients/", re.IGNORECASE
)


def looks_like_a_client_link(text: str) -> bool:
    return bool(_LOOKS_LIKE_A_LINK.search(text))


@transaction.atomic
def signposting_record(
    *,
    actor: User,
    service: Service,
    given_on: dt.date | None,
    method: str = SignpostingMethod.IN_PERSON,
    who: str = "",
    note: str = "",
    **links: Any,
) -> Signposting:
    """Record that `actor` gave someone information about `service`. Any client, case or other record passed
    in (`client=`, `client_id=`, `case=` …) is refused, as is an id or client link typed into the text."""
    if not policy.can_signpost(actor):
        raise NotAllowed("You cannot record signposting.")
    if links:
        raise ValidationFailed(NOT_LINKED, {"who": [NOT_LINKED]})
    problems: dict[str, str] = {}
    who, note = who.strip(), note.strip()
    if given_on is None:
        problems["given_on"] = "Enter the date the information was given."
    elif given_on > timezone.localdate():
        problems["given_on"] = "The date cannot be in the future."
    if method not in SignpostingMethod.values:
        problems["method"] = "Choose how the information was given."
    if len(who) > WHO_MAX:
        problems["who"] = f"Keep it to a short description of {WHO_MAX} characters or fewer, not a name."
    elif looks_like_a_client_link(who):
        problems["who"] = NOT_LINKED
    if looks_like_a_client_link(note):
        problems["note"] = NOT_LINKED
    refuse("There is a problem with this signposting.", problems)
    signposting = create_checked(
        Signposting, service=service, given_on=given_on, given_by=actor, method=method, who=who, note=note
    )
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=signposting)
    return signposting
