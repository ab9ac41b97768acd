"""Rules for referrals out, as plain functions (no database, no HTTP).

- agency_kind_for: which kind of agency (intake.AgencyKind, what consent records name) a service of a
  category is, so sending a referral asks the right consent question;
- next_statuses / can_move: the referral lifecycle, draft to its end;
- default_outcome: the outcome a referral ends with when the worker does not say.
See docs/decisions/0023-referrals-out.md.
"""

from __future__ import annotations

from keyworker.intake.models import AgencyKind
from keyworker.services.models import ENDED_OUTBOUND_STATUSES, OutboundOutcome, OutboundStatus, ServiceCategory

# Most partner services are charities. Drug and alcohol, housing and mental health services have a kind of
# their own on the consent form (mental health services are usually NHS: health). Family support services
# are usually charities too, not children's social care: sharing with children's services is a different
# and weightier thing, and a consent to "other charities" must not stand in for it, nor the reverse.
# Employment and training services are colleges and employment charities; "education" covers colleges and
# training providers, which is what a consent form means by it.
_AGENCY_KIND_BY_CATEGORY: dict[str, str] = {
    ServiceCategory.DRUGS_ALCOHOL: AgencyKind.DRUG_AND_ALCOHOL,
    ServiceCategory.HOUSING: AgencyKind.HOUSING,
    ServiceCategory.MENTAL_HEALTH: AgencyKind.HEALTH,
    ServiceCategory.EMPLOYMENT_TRAINING: AgencyKind.EDUCATION,
    ServiceCategory.FAMILY: AgencyKind.OTHER_CHARITY,
    ServiceCategory.DOMESTIC_ABUSE: AgencyKind.OTHER_CHARITY,
    ServiceCategory.LEGAL: AgencyKind.OTHER_CHARITY,
    ServiceCategory.BENEFITS: AgencyKind.OTHER_CHARITY,
    ServiceCategory.OTHER: AgencyKind.OTHER_CHARITY,
}


def agency_kind_for(category: str) -> str:
    """The AgencyKind a referral to a service of `category` shares with. An unknown category is treated as
    a charity: the narrowest kind that still needs a recorded consent or basis."""
    return str(_AGENCY_KIND_BY_CATEGORY.get(category, AgencyKind.OTHER_CHARITY))


# --- the lifecycle -------------------------------------------------------------------------------------------

S = OutboundStatus
# Sending is its own step (it checks the consent and writes the disclosure log), so DRAFT -> SENT is not an
# update; withdrawing is possible from any open status, a draft included.
_NEXT: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.WITHDRAWN}),
    S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.FIRST_APPOINTMENT, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.FIRST_APPOINTMENT, S.ATTENDED, S.COMPLETED, S.WITHDRAWN}),
    S.FIRST_APPOINTMENT: frozenset({S.FIRST_APPOINTMENT, S.ATTENDED, S.COMPLETED, S.WITHDRAWN}),
    S.ATTENDED: frozenset({S.COMPLETED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.WITHDRAWN: frozenset(),
}
# Statuses an update needs a reason for (why it was declined or withdrawn).
REASON_REQUIRED = frozenset({S.DECLINED, S.WITHDRAWN})


def next_statuses(status: str) -> frozenset[str]:
    """Where a referral may move by an update from `status` (a first appointment may be re-booked)."""
    return _NEXT.get(status, frozenset())


def can_move(current: str, new: str) -> bool:
    return new in next_statuses(current)


def is_ended(status: str) -> bool:
    return status in ENDED_OUTBOUND_STATUSES


def default_outcome(status: str) -> str:
    """The outcome an ending update gets when the worker gives none: a declined or withdrawn referral did not
    achieve what it was for; a completed one must say how it went (no default)."""
    if status in (S.DECLINED, S.WITHDRAWN):
        return str(OutboundOutcome.NOT_ACHIEVED)
    return ""
