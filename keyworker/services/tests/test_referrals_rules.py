"""The referral-out rules without a database: which kind of agency a service is, and the lifecycle."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from keyworker.intake.models import AgencyKind
from keyworker.services import rules
from keyworker.services.models import ENDED_OUTBOUND_STATUSES, OutboundOutcome, OutboundStatus, ServiceCategory

S = OutboundStatus
statuses = st.sampled_from(list(OutboundStatus.values))


def test_the_category_mapping():
    assert rules.agency_kind_for(ServiceCategory.DRUGS_ALCOHOL) == AgencyKind.DRUG_AND_ALCOHOL
    assert rules.agency_kind_for(ServiceCategory.HOUSING) == AgencyKind.HOUSING
    assert rules.agency_kind_for(ServiceCategory.MENTAL_HEALTH) == AgencyKind.HEALTH
    assert rules.agency_kind_for(ServiceCategory.EMPLOYMENT_TRAINING) == AgencyKind.EDUCATION
    # Family support services are charities, not children's social care.
    assert rules.agency_kind_for(ServiceCategory.FAMILY) == AgencyKind.OTHER_CHARITY
    for category in ("domestic_abuse", "legal", "benefits", "other"):
        assert rules.agency_kind_for(category) == AgencyKind.OTHER_CHARITY


@given(st.text(max_size=30) | st.sampled_from(list(ServiceCategory.values)))
def test_every_category_is_some_kind_of_agency_and_never_police_or_probation(category):
    kind = rules.agency_kind_for(category)
    assert kind in AgencyKind.values
    assert kind not in (AgencyKind.POLICE, AgencyKind.PROBATION, AgencyKind.CHILDRENS_SERVICES)


@given(statuses)
def test_nothing_moves_on_from_an_end(status):
    if status in ENDED_OUTBOUND_STATUSES:
        assert rules.next_statuses(status) == frozenset()
    else:
        # Every open referral can still be withdrawn.
        assert S.WITHDRAWN in rules.next_statuses(status)


@given(statuses, statuses)
def test_no_update_goes_back_to_draft_or_sent(current, new):
    if new in (S.DRAFT, S.SENT):
        assert not rules.can_move(current, new)


@given(st.lists(statuses, max_size=12))
def test_any_allowed_path_from_sent_ends_at_most_once(path):
    """Walking allowed moves only: once ended, no move is allowed, and declined only straight after sent."""
    current = S.SENT
    for new in path:
        if not rules.can_move(current, new):
            continue
        assert not rules.is_ended(current)
        if new == S.DECLINED:
            assert current == S.SENT
        current = new


def test_the_lifecycle_table():
    assert rules.next_statuses(S.DRAFT) == {S.WITHDRAWN}  # sending is its own step
    assert rules.next_statuses(S.SENT) == {S.ACCEPTED, S.DECLINED, S.FIRST_APPOINTMENT, S.WITHDRAWN}
    assert rules.can_move(S.FIRST_APPOINTMENT, S.FIRST_APPOINTMENT)  # re-booked
    assert rules.can_move(S.ATTENDED, S.COMPLETED)
    assert not rules.can_move(S.ATTENDED, S.DECLINED)
    assert {S.DECLINED, S.WITHDRAWN} == rules.REASON_REQUIRED


@given(statuses)
def test_the_default_outcome(status):
    expected = OutboundOutcome.NOT_ACHIEVED if status in (S.DECLINED, S.WITHDRAWN) else ""
    assert rules.default_outcome(status) == expected
