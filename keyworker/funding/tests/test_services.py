"""Funding writes: managers keep streams and rules; allocation, unfunded work and the waiting list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import Personas
from keyworker.funding.models import (
    EligibilityRule,
    Funder,
    FundingStream,
    StreamAllocation,
    UnfundedDecision,
    UnfundedWork,
    WaitingListEntry,
)
from keyworker.funding.services import (
    case_allocate_to_stream,
    eligibility_rule_add,
    eligibility_rule_remove,
    funder_create,
    funding_stream_create,
    funding_stream_update,
    stream_allocation_end,
    unfunded_decide,
    unfunded_request,
    waiting_list_add,
    waiting_list_remove,
)

pytestmark = pytest.mark.django_db

REASON = "Scared, wants out of a new group; no stream covers her."


def _counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Funder, FundingStream, EligibilityRule, StreamAllocation, UnfundedWork, WaitingListEntry, AuditEvent)
    )


def _stream(p: Personas, *, places: int = 2, name: str = "Young Londoners", **rules) -> FundingStream:
    funder = Funder.objects.filter(name="City Fund").first() or funder_create(actor=p.manager, name="City Fund")
    stream = funding_stream_create(
        actor=p.manager,
        funder=funder,
        name=name,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        places=places,
        targets="40 young people supported; 60% in education or work",
    )
    for kind, params in rules.items():
        eligibility_rule_add(actor=p.manager, stream=stream, kind=kind, parameters=params)
    return stream


# ------------------------------------------------------------------------------------ streams and rules


def test_managers_create_streams_and_rules_with_audit(personas: Personas):
    stream = _stream(personas, age_range={"min": 14, "max": 25}, home_area={"areas": [" Lambeth ", "SE11"]})
    rules = {r.kind: r.parameters for r in stream.rules.all()}
    assert rules == {"age_range": {"min": 14, "max": 25, "at": "today"}, "home_area": {"areas": ["Lambeth", "SE11"]}}
    assert AuditEvent.objects.filter(object_type="funding.eligibilityrule", action=AuditAction.CREATE).count() == 2
    assert AuditEvent.objects.filter(object_type="funding.fundingstream", action=AuditAction.CREATE).count() == 1


@pytest.mark.parametrize("who", ["you", "teammate", "report_viewer"])
def test_only_managers_change_funding_data(personas: Personas, who: str):
    stream = _stream(personas)
    actor = getattr(personas, who)
    before = _counts()
    with pytest.raises(NotAllowed):
        funder_create(actor=actor, name="Another fund")
    with pytest.raises(NotAllowed):
        funding_stream_create(actor=actor, funder=stream.funder, name="X", starts_on=timezone.localdate(), places=1)
    with pytest.raises(NotAllowed):
        eligibility_rule_add(actor=actor, stream=stream, kind="gender", parameters={"genders": ["female"]})
    assert _counts() == before


@pytest.mark.parametrize(
    ("kind", "parameters", "field"),
    [
        ("age_range", {"min": 30, "max": 20}, "parameters"),
        ("gender", {"genders": ["unknown"]}, "parameters"),
        ("star_sign", {"signs": ["Leo"]}, "kind"),
        ("custody_status", {}, "parameters"),
    ],
)
def test_bad_rules_change_nothing(personas: Personas, kind, parameters, field):
    stream = _stream(personas)
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        eligibility_rule_add(actor=personas.manager, stream=stream, kind=kind, parameters=parameters)
    assert field in caught.value.field_errors
    assert _counts() == before


def test_bad_streams_change_nothing(personas: Personas):
    stream = _stream(personas)
    before = _counts()
    cases = [
        {"name": "", "starts_on": timezone.localdate(), "places": 1},
        {"name": "Young Londoners", "starts_on": timezone.localdate(), "places": 1},
        {"name": "New", "starts_on": None, "places": 1},
        {"name": "New", "starts_on": dt.date(2026, 5, 1), "ends_on": dt.date(2026, 4, 1), "places": 1},
        {"name": "New", "starts_on": timezone.localdate(), "places": -1},
        {"name": "x" * 300, "starts_on": timezone.localdate(), "places": 1},
    ]
    for fields in cases:
        with pytest.raises(ValidationFailed):
            funding_stream_create(actor=personas.manager, funder=stream.funder, **fields)
    with pytest.raises(ValidationFailed):
        funder_create(actor=personas.manager, name="city fund")
    assert _counts() == before


def test_removing_a_rule_is_audited(personas: Personas):
    stream = _stream(personas, gender={"genders": ["female"]})
    rule = stream.rules.get()
    with pytest.raises(NotAllowed):
        eligibility_rule_remove(actor=personas.you, rule=rule)
    eligibility_rule_remove(actor=personas.manager, rule=rule)
    assert not stream.rules.exists()
    event = AuditEvent.objects.filter(object_id=str(stream.pk), action=AuditAction.UPDATE).get()
    assert event.detail["kind"] == "gender"


def test_stream_update_detects_concurrent_edits_and_keeps_places_for_those_funded(personas: Personas):
    stream = _stream(personas, places=2)
    case = personas.client_of(personas.you).cases.get()
    case_allocate_to_stream(actor=personas.you, case=case, stream=stream)
    read_version = stream.version
    common = {"name": stream.name, "starts_on": stream.starts_on, "targets": "", "active": True}
    with pytest.raises(ValidationFailed) as caught:
        funding_stream_update(actor=personas.manager, stream=stream, version=read_version, places=0, **common)
    assert "places" in caught.value.field_errors
    funding_stream_update(actor=personas.manager, stream=stream, version=read_version, places=5, **common)
    assert FundingStream.objects.get(pk=stream.pk).places == 5
    stale = FundingStream.objects.get(pk=stream.pk)
    with pytest.raises(ConcurrentEdit):
        funding_stream_update(actor=personas.manager, stream=stale, version=read_version, places=6, **common)
    assert FundingStream.objects.get(pk=stream.pk).places == 5


# ------------------------------------------------------------------------------------------ allocation


def test_caseworker_allocates_an_eligible_case(personas: Personas):
    stream = _stream(personas, age_range={"min": 14, "max": 25}, home_area={"areas": ["Lambeth"]})
    client = personas.client_of(personas.you, date_of_birth=timezone.localdate().replace(year=2008, day=1))
    case = client.cases.get()
    allocation = case_allocate_to_stream(actor=personas.you, case=case, stream=stream)
    assert allocation.override_reason == "" and allocation.allocated_by == personas.you
    event = AuditEvent.objects.get(object_id=str(allocation.pk))
    assert event.client_id == client.pk and event.detail["eligibility_overridden"] is False


def test_ineligible_case_is_refused_with_the_reasons_and_nothing_changes(personas: Personas):
    stream = _stream(personas, gender={"genders": ["male"]}, home_area={"areas": ["Lambeth"]})
    case = personas.client_of(personas.you, gender="female", home_area="Croydon").cases.get()
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        case_allocate_to_stream(actor=personas.you, case=case, stream=stream)
    assert caught.value.field_errors["stream"] == [
        "This stream is for men and boys.",
        "Home area Croydon is not in Lambeth.",
    ]
    assert "override_reason" in caught.value.field_errors
    with pytest.raises(NotAllowed):  # a caseworker cannot override
        case_allocate_to_stream(actor=personas.you, case=case, stream=stream, override_reason=REASON)
    with pytest.raises(ValidationFailed):  # a manager must say why
        case_allocate_to_stream(actor=personas.manager, case=case, stream=stream, override_reason="because")
    assert _counts() == before


def test_manager_of_the_team_overrides_with_a_reason(personas: Personas):
    stream = _stream(personas, gender={"genders": ["male"]})
    case = personas.client_of(personas.you, gender="female").cases.get()
    allocation = case_allocate_to_stream(actor=personas.manager, case=case, stream=stream, override_reason=REASON)
    assert allocation.override_reason == REASON and allocation.overridden_by == personas.manager
    assert AuditEvent.objects.get(object_id=str(allocation.pk)).detail["eligibility_overridden"] is True


def test_full_streams_and_closed_streams_refuse(personas: Personas):
    stream = _stream(personas, places=1)
    first = personas.client_of(personas.you).cases.get()
    second = personas.client_of(personas.you).cases.get()
    week_ago = timezone.localdate() - dt.timedelta(days=7)
    allocation = case_allocate_to_stream(actor=personas.you, case=first, stream=stream, starts_on=week_ago)
    with pytest.raises(ValidationFailed) as caught:
        case_allocate_to_stream(actor=personas.you, case=first, stream=stream)
    assert "already funded" in caught.value.field_errors["stream"][0]
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        case_allocate_to_stream(actor=personas.you, case=second, stream=stream)
    assert "no places left" in caught.value.field_errors["stream"][0]
    assert _counts() == before
    stream_allocation_end(
        actor=personas.you, allocation=allocation, ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    case_allocate_to_stream(actor=personas.you, case=second, stream=stream)  # the place is free again
    FundingStream.objects.filter(pk=stream.pk).update(active=False)
    with pytest.raises(ValidationFailed) as caught:
        case_allocate_to_stream(actor=personas.you, case=first, stream=stream)
    assert "is not funding anyone" in caught.value.field_errors["stream"][0]


def test_allocation_outside_reach(personas: Personas):
    stream = _stream(personas)
    theirs = personas.client_of(personas.other_caseworker).cases.get()
    before = _counts()
    with pytest.raises(NotFound):
        case_allocate_to_stream(actor=personas.you, case=theirs, stream=stream)
    with pytest.raises(NotFound):
        case_allocate_to_stream(actor=personas.manager, case=theirs, stream=stream, override_reason=REASON)
    assert _counts() == before


def test_custody_facts_are_passed_in(personas: Personas):
    stream = _stream(personas, custody_status={"released_within_months": 6})
    case = personas.client_of(personas.you).cases.get()
    with pytest.raises(ValidationFailed) as caught:
        case_allocate_to_stream(actor=personas.you, case=case, stream=stream)
    assert caught.value.field_errors["stream"][0].startswith("Custody status is not recorded")
    case_allocate_to_stream(
        actor=personas.you,
        case=case,
        stream=stream,
        in_custody=False,
        released_on=timezone.localdate() - dt.timedelta(days=10),
    )


# ------------------------------------------------------------------------------------------ unfunded


def test_unfunded_work_needs_a_reason_and_a_managers_decision(personas: Personas):
    case = personas.client_of(personas.you, gender="female").cases.get()
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        unfunded_request(actor=personas.you, case=case, reason="scared")
    assert "reason" in caught.value.field_errors
    assert _counts() == before
    work = unfunded_request(actor=personas.you, case=case, reason=REASON)
    assert work.decision == UnfundedDecision.PENDING
    assert Notification.objects.filter(recipient=personas.manager, subject="Unfunded work to approve").exists()
    with pytest.raises(ValidationFailed):  # one request at a time
        unfunded_request(actor=personas.teammate, case=case, reason=REASON)
    for not_allowed in (personas.you, personas.teammate):
        with pytest.raises(NotAllowed):
            unfunded_decide(actor=not_allowed, work=work, approve=True, reason="Agreed: urgent safety need.")
    with pytest.raises(NotFound):
        unfunded_decide(actor=personas.other_manager, work=work, approve=True, reason="Agreed: urgent safety need.")
    with pytest.raises(ValidationFailed):
        unfunded_decide(actor=personas.manager, work=work, approve=True, reason="")
    decided = unfunded_decide(actor=personas.manager, work=work, approve=True, reason="Agreed: urgent safety need.")
    assert decided.decision == UnfundedDecision.APPROVED
    assert decided.decided_by == personas.manager and decided.decided_at is not None
    assert Notification.objects.filter(recipient=personas.you, subject="Unfunded work approved").exists()
    with pytest.raises(ValidationFailed):
        unfunded_decide(actor=personas.manager, work=work, approve=False, reason="Changed my mind about it.")
    events = AuditEvent.objects.filter(object_id=str(work.pk)).order_by("occurred_at")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert all(REASON not in str(e.detail) for e in events)  # what people typed stays out of the audit


def test_declined_unfunded_work_can_be_asked_again(personas: Personas):
    case = personas.client_of(personas.you).cases.get()
    work = unfunded_request(actor=personas.you, case=case, reason=REASON)
    unfunded_decide(actor=personas.manager, work=work, approve=False, reason="Refer to the youth service instead.")
    assert unfunded_request(actor=personas.you, case=case, reason=REASON + " Circumstances changed.")


def test_unfunded_request_outside_reach_or_team(personas: Personas):
    theirs = personas.client_of(personas.other_caseworker).cases.get()
    with pytest.raises(NotFound):
        unfunded_request(actor=personas.you, case=theirs, reason=REASON)
    with pytest.raises(NotFound):
        unfunded_request(actor=personas.report_viewer, case=theirs, reason=REASON)
    assert not UnfundedWork.objects.exists()


# ------------------------------------------------------------------------------------------ waiting list


def test_waiting_list(personas: Personas):
    stream = _stream(personas, places=0)
    client = personas.client_of(personas.you)
    case = client.cases.get()
    entry = waiting_list_add(actor=personas.teammate, client=client, case=case, stream=stream, note="Next place")
    assert entry.added_on == timezone.localdate()
    before = _counts()
    with pytest.raises(ValidationFailed):
        waiting_list_add(actor=personas.you, client=client, stream=stream)
    with pytest.raises(NotFound):
        waiting_list_add(actor=personas.other_caseworker, client=client, stream=stream)
    other_case = personas.client_of(personas.you).cases.get()
    with pytest.raises(NotFound):
        waiting_list_add(actor=personas.you, client=client, case=other_case)
    assert _counts() == before
    assert waiting_list_add(actor=personas.you, client=client)  # for any place, separately
    waiting_list_remove(actor=personas.you, entry=entry)
    assert WaitingListEntry.objects.get(pk=entry.pk).removed_on == timezone.localdate()
    with pytest.raises(ValidationFailed):
        waiting_list_remove(actor=personas.you, entry=WaitingListEntry.objects.get(pk=entry.pk))
