"""Information-sharing decisions about a concern or a crisis call: shared or not, with whom, on which lawful
basis and why. Called inside the transaction of the service that records the concern or the call."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core.errors import ValidationFailed
from keyworker.core.validation import check_field_values
from keyworker.privacy.services import disclosure_record
from keyworker.safeguarding.models import Concern, CrisisCall, LawfulBasis, SharingDecision
from keyworker.safeguarding.rules import sharing_decision_problems


@transaction.atomic
def sharing_decision_record(
    *,
    actor: User,
    shared: bool,
    lawful_basis: str,
    reasons: str,
    shared_with: str = "",
    concern: Concern | None = None,
    crisis_call: CrisisCall | None = None,
    what: str = "",
) -> SharingDecision:
    """Record one decision. The caller has already checked the actor may act on the concern or the call.
    A decision about a concern that is not about the client is audited without the client's id (it belongs to
    the third party's record, never the client's trail).

    A decision to share about the client (a concern about them, a crisis call) is also written to their
    disclosure log, `what` saying what went (default: the concern or the call). One about someone else (a
    victim's concern raised in this client's casework) is not: written on his record, his own log and subject
    access record would tell an alleged abuser that someone disclosed (decisions/0025, 0038). The decision
    itself, on the victim's concern, is that sharing's record."""
    if (concern is None) == (crisis_call is None):
        raise ValueError("A sharing decision is about exactly one concern or crisis call.")
    basis = lawful_basis or (LawfulBasis.NOT_APPLICABLE if not shared else "")
    problems = sharing_decision_problems(shared=shared, shared_with=shared_with, lawful_basis=basis, reasons=reasons)
    if problems:
        raise ValidationFailed("There is a problem with the information-sharing decision.", problems)
    decision = SharingDecision(
        concern=concern,
        crisis_call=crisis_call,
        shared=shared,
        shared_with=shared_with.strip() if shared else "",
        lawful_basis=basis,
        reasons=reasons.strip(),
        decided_by=actor,
        decided_at=timezone.now(),
    )
    check_field_values(decision)
    decision.save(force_insert=True)
    if concern is not None:
        client_id = concern.client_id if concern.is_about_client else None
    else:
        assert crisis_call is not None
        client_id = crisis_call.client_id
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=decision,
        client_id=client_id,
        detail={"shared": shared, "lawful_basis": basis},
    )
    if shared and client_id is not None:
        default = "Information from a crisis call" if concern is None else "Information about a safeguarding concern"
        disclosure_record(
            actor=actor,
            client=concern.client if concern is not None else crisis_call.client,  # type: ignore[union-attr]
            what=what.strip() or f"{default}: {decision.reasons}",
            recipient=decision.shared_with,
            basis=decision.get_lawful_basis_display(),
            source=decision,
            disclosed_at=decision.decided_at,
        )
    return decision
