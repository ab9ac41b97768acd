"""Writing the disclosure log. Only the feature that shares calls this, inside its own transaction, so the
log and the sharing stand or fall together."""

from __future__ import annotations

import datetime as dt

from django.db import models, transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core.errors import ValidationFailed
from keyworker.core.validation import create_checked
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure


@transaction.atomic
def disclosure_record(
    *,
    actor: User,
    client: Client,
    what: str,
    recipient: str,
    basis: str,
    source: models.Model,
    disclosed_at: dt.datetime | None = None,
) -> Disclosure:
    """Log that `what` about `client` went to `recipient` on `basis`, because of `source` (the referral, the
    form, the letter). The caller has already checked that the sharing is permitted."""
    problems: dict[str, list[str]] = {}
    if not what.strip():
        problems["what"] = ["Say what was shared."]
    if not recipient.strip():
        problems["recipient"] = ["Say who it was shared with."]
    if not basis.strip():
        problems["basis"] = ["Say the consent or lawful basis it was shared on."]
    if problems:
        raise ValidationFailed("A disclosure needs what, to whom and on which basis.", problems)
    disclosure = create_checked(
        Disclosure,
        client=client,
        what=what.strip(),
        recipient=recipient.strip()[:200],
        basis=basis.strip()[:300],
        disclosed_at=disclosed_at or timezone.now(),
        disclosed_by=actor,
        source_type=source._meta.label_lower,
        source_id=source.pk,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=disclosure,
        client_id=client.pk,
        detail={"source": source._meta.label_lower},
    )
    return disclosure
