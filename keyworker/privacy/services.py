"""Writing the disclosure log. Only the feature that shares calls this, inside its own transaction, so the
log and the sharing stand or fall together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import models, transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, records_created
from keyworker.core.errors import ValidationFailed
from keyworker.core.validation import check_field_values, create_checked
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure, SharingAgreement


def _check(*, what: str, recipient: str, basis: str) -> None:
    problems: dict[str, list[str]] = {}
    if not what.strip():
        problems["what"] = ["Say what was shared."]
    if not recipient.strip():
        problems["recipient"] = ["Say who it was shared with."]
    if not basis.strip():
        problems["basis"] = ["Say the consent or lawful basis it was shared on."]
    if problems:
        raise ValidationFailed("A disclosure needs what, to whom and on which basis.", problems)


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
    sharing_agreement: SharingAgreement | None = None,
) -> Disclosure:
    """Log that `what` about `client` went to `recipient` on `basis`, because of `source` (the referral, the
    form, the letter), under `sharing_agreement` if one applies. The caller has already checked that the sharing
    is permitted."""
    _check(what=what, recipient=recipient, basis=basis)
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
        sharing_agreement=sharing_agreement,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=disclosure,
        client_id=client.pk,
        detail={"source": source._meta.label_lower},
    )
    return disclosure


@transaction.atomic
def disclosures_record_many(
    *,
    actor: User,
    clients: Sequence[Client],
    what: str,
    recipient: str,
    basis: str,
    source: models.Model,
    disclosed_at: dt.datetime | None = None,
    sharing_agreement: SharingAgreement | None = None,
) -> list[Disclosure]:
    """disclosure_record for many people at once (a cohort file): the same rows and the same audit event per
    person, written in one insert each, so a file of hundreds of people costs a handful of queries."""
    _check(what=what, recipient=recipient, basis=basis)
    at = disclosed_at or timezone.now()
    disclosures = [
        Disclosure(
            client=client,
            what=what.strip(),
            recipient=recipient.strip()[:200],
            basis=basis.strip()[:300],
            disclosed_at=at,
            disclosed_by=actor,
            source_type=source._meta.label_lower,
            source_id=source.pk,
            sharing_agreement=sharing_agreement,
        )
        for client in clients
    ]
    for disclosure in disclosures:
        check_field_values(disclosure)
    Disclosure.objects.bulk_create(disclosures)
    records_created(actor, disclosures, detail={"source": source._meta.label_lower})
    return disclosures
