"""Cases: opening them, their status lifecycle, and the caseload selector."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework import services
from keyworker.casework.models import Case, CaseStatus, ClosureReason, Programme
from keyworker.casework.selectors import caseload_for
from keyworker.casework.services import case_change_status, case_open
from keyworker.core import policy
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import CaseFactory, ClientFactory
from keyworker.people.services import client_create


def _counts() -> tuple[int, int]:
    return Case.objects.count(), AuditEvent.objects.count()


def _fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- case_open -------------------------------------------------------------------------------------


def test_open_creates_an_open_case_with_a_reference_and_audit(personas):
    client = client_create(actor=personas.you, first_name="Dionne")
    assert client not in set(policy.clients_visible_to(personas.you))  # no case yet: nobody's client

    case = case_open(
        actor=personas.you,
        client=client,
        programme=Programme.WOMEN_AND_GIRLS,
        team=personas.team,
        keyworker=personas.you,
    )
    stored = _fresh(case)
    assert stored.status == CaseStatus.OPEN
    assert stored.opened_on == timezone.localdate()
    assert stored.keyworker == personas.you
    assert stored.team == personas.team
    assert re.fullmatch(r"KW-\d{6}", stored.reference)
    event = AuditEvent.objects.get(object_id=str(case.pk))
    assert event.action == AuditAction.CREATE
    assert (event.object_type, event.client_id) == ("casework.case", client.pk)
    # The case is what brings the client within the team's reach.
    assert client in set(policy.clients_visible_to(personas.you))
    assert client in set(policy.clients_visible_to(personas.teammate))
    assert client not in set(policy.clients_visible_to(personas.other_caseworker))


def test_references_are_unique_and_increasing(personas):
    client = ClientFactory()
    refs = [
        case_open(actor=personas.you, client=client, programme=Programme.GANG_EXIT, team=p.team).reference
        for p in (personas, personas, personas)
    ]
    numbers = [int(r.removeprefix("KW-")) for r in refs]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == 3
    assert numbers[1] == numbers[0] + 1


def test_open_with_given_date_and_no_keyworker(personas):
    day = dt.date(2024, 2, 29)
    case = case_open(
        actor=personas.manager,
        client=ClientFactory(),
        programme=Programme.RESETTLEMENT,
        team=personas.team,
        opened_on=day,
    )
    stored = _fresh(case)
    assert (stored.opened_on, stored.keyworker) == (day, None)


@pytest.mark.parametrize("actor", ["you", "manager"])
def test_cannot_open_in_another_team(personas, actor):
    before = _counts()
    with pytest.raises(NotAllowed):
        case_open(
            actor=getattr(personas, actor),
            client=ClientFactory(),
            programme=Programme.GANG_EXIT,
            team=personas.other_team,
        )
    assert _counts() == before


def test_report_viewer_cannot_open(personas):
    personas.report_viewer.team = personas.team
    personas.report_viewer.save()
    with pytest.raises(NotAllowed):
        case_open(
            actor=personas.report_viewer, client=ClientFactory(), programme=Programme.GANG_EXIT, team=personas.team
        )


def test_open_needs_a_known_programme(personas):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        case_open(actor=personas.you, client=ClientFactory(), programme="gang_member", team=personas.team)
    assert "programme" in raised.value.field_errors
    assert _counts() == before


def test_keyworker_must_be_in_the_cases_team(personas):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        case_open(
            actor=personas.you,
            client=ClientFactory(),
            programme=Programme.GANG_EXIT,
            team=personas.team,
            keyworker=personas.other_caseworker,
        )
    assert "keyworker" in raised.value.field_errors
    assert _counts() == before


def test_open_rolls_back_when_audit_fails(personas, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        case_open(actor=personas.you, client=ClientFactory(), programme=Programme.GANG_EXIT, team=personas.team)
    assert _counts() == before


# --- case_change_status ----------------------------------------------------------------------------


@pytest.fixture
def case(personas) -> Case:
    client = personas.client_of(personas.you)
    return client.cases.get()


def test_full_lifecycle(personas, case):
    case = case_change_status(actor=personas.you, case=case, expected_version=1, status=CaseStatus.ON_HOLD)
    assert (_fresh(case).status, _fresh(case).version) == (CaseStatus.ON_HOLD, 2)
    case = case_change_status(actor=personas.you, case=case, expected_version=2, status=CaseStatus.OPEN)
    assert _fresh(case).status == CaseStatus.OPEN
    case = case_change_status(
        actor=personas.you,
        case=case,
        expected_version=3,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.GOALS_MET,
        closure_note="Working full time; moved on.",
    )
    stored = _fresh(case)
    assert stored.status == CaseStatus.CLOSED
    assert stored.closure_reason == ClosureReason.GOALS_MET
    assert stored.closure_note == "Working full time; moved on."
    assert stored.closed_on == timezone.localdate()
    assert stored.version == 4
    details = list(
        AuditEvent.objects.filter(object_id=str(case.pk), action=AuditAction.UPDATE)
        .order_by("occurred_at")
        .values_list("detail", flat=True)
    )
    assert details == [{"status": "on_hold"}, {"status": "open"}, {"status": "closed"}]


def test_close_from_on_hold_with_a_date(personas, case):
    case = case_change_status(actor=personas.you, case=case, expected_version=1, status=CaseStatus.ON_HOLD)
    day = case.opened_on + dt.timedelta(days=10)
    case_change_status(
        actor=personas.you,
        case=case,
        expected_version=2,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.RETURNED_TO_CUSTODY,
        closed_on=day,
    )
    assert (_fresh(case).status, _fresh(case).closed_on) == (CaseStatus.CLOSED, day)


def test_may_close_on_the_day_it_opened(personas, case):
    case_change_status(
        actor=personas.you,
        case=case,
        expected_version=1,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.MOVED_AWAY,
        closed_on=case.opened_on,
    )
    assert _fresh(case).closed_on == case.opened_on


@pytest.mark.parametrize("reason", ["", "bored", None])
def test_closing_needs_a_reason(personas, case, reason):
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as raised:
        case_change_status(
            actor=personas.you, case=case, expected_version=1, status=CaseStatus.CLOSED, closure_reason=reason
        )
    assert "closure_reason" in raised.value.field_errors
    stored = _fresh(case)
    assert (stored.status, stored.closed_on, stored.version) == (CaseStatus.OPEN, None, 1)
    assert AuditEvent.objects.count() == events


def test_refused_close_leaves_the_instance_alone_so_a_retry_works(personas, case):
    with pytest.raises(ValidationFailed):
        case_change_status(actor=personas.you, case=case, expected_version=1, status=CaseStatus.CLOSED)
    assert case.status == CaseStatus.OPEN
    case_change_status(
        actor=personas.you,
        case=case,
        expected_version=1,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.GOALS_MET,
    )
    assert _fresh(case).status == CaseStatus.CLOSED


def test_cannot_close_before_it_opened(personas, case):
    with pytest.raises(ValidationFailed) as raised:
        case_change_status(
            actor=personas.you,
            case=case,
            expected_version=1,
            status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.OTHER,
            closed_on=case.opened_on - dt.timedelta(days=1),
        )
    assert "closed_on" in raised.value.field_errors
    stored = _fresh(case)
    assert (stored.status, stored.closed_on, stored.version) == (CaseStatus.OPEN, None, 1)


@pytest.mark.parametrize("target", [CaseStatus.OPEN, CaseStatus.ON_HOLD, CaseStatus.CLOSED])
def test_closed_is_final(personas, case, target):
    case = case_change_status(
        actor=personas.you,
        case=case,
        expected_version=1,
        status=CaseStatus.CLOSED,
        closure_reason=ClosureReason.DISENGAGED,
    )
    closed_on = _fresh(case).closed_on
    with pytest.raises(ValidationFailed):
        case_change_status(
            actor=personas.you, case=_fresh(case), expected_version=2, status=target, closure_reason=ClosureReason.OTHER
        )
    stored = _fresh(case)
    assert (stored.status, stored.closed_on, stored.closure_reason, stored.version) == (
        CaseStatus.CLOSED,
        closed_on,
        ClosureReason.DISENGAGED,
        2,
    )


@pytest.mark.parametrize("status", [CaseStatus.OPEN, "reopened", ""])
def test_no_self_transition_or_unknown_status(personas, case, status):
    with pytest.raises(ValidationFailed):
        case_change_status(actor=personas.you, case=case, expected_version=1, status=status)
    assert (_fresh(case).status, _fresh(case).version) == (CaseStatus.OPEN, 1)


def test_stale_version_is_refused_and_changes_nothing(personas, case):
    mine = _fresh(case)
    case_change_status(actor=personas.teammate, case=case, expected_version=1, status=CaseStatus.ON_HOLD)
    events = AuditEvent.objects.count()
    with pytest.raises(ConcurrentEdit):
        case_change_status(
            actor=personas.you,
            case=mine,
            expected_version=1,
            status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.GOALS_MET,
        )
    stored = _fresh(case)
    assert (stored.status, stored.closed_on, stored.closure_reason, stored.version) == (CaseStatus.ON_HOLD, None, "", 2)
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("actor", ["teammate", "manager"])
def test_team_may_change_status(personas, case, actor):
    case_change_status(actor=getattr(personas, actor), case=case, expected_version=1, status=CaseStatus.ON_HOLD)
    assert _fresh(case).status == CaseStatus.ON_HOLD


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_change_status(personas, case, actor):
    with pytest.raises(NotAllowed):
        case_change_status(
            actor=getattr(personas, actor),
            case=case,
            expected_version=1,
            status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.OTHER,
        )
    assert (_fresh(case).status, _fresh(case).version) == (CaseStatus.OPEN, 1)


def test_status_change_rolls_back_when_audit_fails(personas, case, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        case_change_status(
            actor=personas.you,
            case=case,
            expected_version=1,
            status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.GOALS_MET,
        )
    stored = _fresh(case)
    assert (stored.status, stored.closed_on, stored.version) == (CaseStatus.OPEN, None, 1)


# --- caseload_for ----------------------------------------------------------------------------------


@pytest.fixture
def caseload(personas):
    """Cases in Team North and one in Team South, with names, dates and programmes that sort differently."""
    today = timezone.localdate()

    def make(keyworker, last, days_ago, ref, programme=Programme.GANG_EXIT, status=CaseStatus.OPEN, team=None):
        extra = {}
        if status == CaseStatus.CLOSED:
            extra = {"closed_on": today, "closure_reason": ClosureReason.GOALS_MET}
        return CaseFactory(
            client=ClientFactory(first_name="Pat", last_name=last),
            keyworker=keyworker,
            team=team or keyworker.team,
            reference=ref,
            opened_on=today - dt.timedelta(days=days_ago),
            programme=programme,
            status=status,
            **extra,
        )

    p = personas
    return {
        "mine_b": make(p.you, "Baker", 10, "KW-900003"),
        "mine_a": make(p.you, "Adams", 30, "KW-900002", programme=Programme.RESETTLEMENT),
        "mine_held": make(p.you, "Cole", 5, "KW-900006", status=CaseStatus.ON_HOLD),
        "mine_closed": make(p.you, "Dent", 50, "KW-900007", status=CaseStatus.CLOSED),
        "team_c": make(p.teammate, "Carr", 20, "KW-900001"),
        "south": make(p.other_caseworker, "Aaron", 1, "KW-900004"),
        # A South case; one test gives its client a North episode too.
        "shared_south": make(p.other_caseworker, "Evans", 2, "KW-900005", team=p.other_team),
    }


def _keys(cases, caseload) -> list[str]:
    by_pk = {c.pk: k for k, c in caseload.items()}
    return [by_pk[c.pk] for c in cases]


def test_default_is_the_teams_open_cases_by_name(personas, caseload):
    assert _keys(caseload_for(personas.you), caseload) == ["mine_a", "mine_b", "team_c"]


def test_me_filter(personas, caseload):
    assert _keys(caseload_for(personas.you, keyworker="me"), caseload) == ["mine_a", "mine_b"]
    assert _keys(caseload_for(personas.teammate, keyworker="me"), caseload) == ["team_c"]


def test_status_filters(personas, caseload):
    assert _keys(caseload_for(personas.you, status=CaseStatus.ON_HOLD), caseload) == ["mine_held"]
    assert _keys(caseload_for(personas.you, status=CaseStatus.CLOSED), caseload) == ["mine_closed"]
    everything = _keys(caseload_for(personas.you, status=None), caseload)
    assert everything == ["mine_a", "mine_b", "team_c", "mine_held", "mine_closed"]


def test_programme_filter(personas, caseload):
    assert _keys(caseload_for(personas.you, programme=Programme.RESETTLEMENT), caseload) == ["mine_a"]
    assert _keys(caseload_for(personas.you, programme=Programme.PEER_MENTORING), caseload) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["mine_a", "mine_b", "team_c"]),
        ("-name", ["team_c", "mine_b", "mine_a"]),
        ("opened", ["mine_a", "team_c", "mine_b"]),
        ("-opened", ["mine_b", "team_c", "mine_a"]),
        ("reference", ["team_c", "mine_a", "mine_b"]),
        ("-reference", ["mine_b", "mine_a", "team_c"]),
        ("client__date_of_birth; drop table", ["mine_a", "mine_b", "team_c"]),  # unknown: falls back to name
    ],
)
def test_sorts(personas, caseload, sort, expected):
    assert _keys(caseload_for(personas.you, sort=sort), caseload) == expected


def test_manager_sees_the_whole_team(personas, caseload):
    assert _keys(caseload_for(personas.manager), caseload) == ["mine_a", "mine_b", "team_c"]
    assert _keys(caseload_for(personas.manager, keyworker="me"), caseload) == []


def test_other_team_sees_only_theirs(personas, caseload):
    assert _keys(caseload_for(personas.other_caseworker), caseload) == ["south", "shared_south"]
    assert _keys(caseload_for(personas.other_manager, sort="-opened"), caseload) == ["south", "shared_south"]


def test_caseload_of_shared_client_excludes_other_teams_episode(personas, caseload):
    shared = caseload["shared_south"].client
    ours = CaseFactory(client=shared, keyworker=personas.you, team=personas.team, reference="KW-900008")
    listed = list(caseload_for(personas.you, keyworker="team"))
    assert ours in listed
    assert caseload["shared_south"] not in listed


def test_report_viewer_has_no_caseload(personas, caseload):
    assert list(caseload_for(personas.report_viewer)) == []
    assert list(caseload_for(personas.report_viewer, status=None)) == []
