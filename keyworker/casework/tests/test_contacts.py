"""The contact log: recording contacts, amending notes, and the client timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework import services
from keyworker.casework.models import (
    CaseStatus,
    ClosureReason,
    Contact,
    ContactAmendment,
    ContactKind,
    Pathway,
)
from keyworker.casework.selectors import contact_list_for, timeline_for
from keyworker.casework.services import contact_amend, contact_record
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.testing import CaseFactory, ClientFactory, ContactFactory


def _counts() -> tuple[int, int, int]:
    return Contact.objects.count(), ContactAmendment.objects.count(), AuditEvent.objects.count()


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_default_timezone())


# --- contact_record --------------------------------------------------------------------------------


def test_record_writes_contact_against_open_case_with_audit(personas):
    client = personas.client_of(personas.you)
    case = client.cases.get()
    when = timezone.now() - dt.timedelta(hours=2)
    contact = contact_record(
        actor=personas.you,
        client=client,
        kind=ContactKind.HOME_VISIT,
        note="  Visited at home; calm.  ",
        occurred_at=when,
        duration_minutes=45,
        location=" Flat ",
        pathways=[Pathway.ACCOMMODATION, Pathway.HEALTH, Pathway.ACCOMMODATION],
        is_sensitive=True,
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.case == case
    assert stored.client == client
    assert stored.note == "Visited at home; calm."
    assert stored.location == "Flat"
    assert stored.pathways == ["accommodation", "health"]
    assert stored.occurred_at == when
    assert (stored.duration_minutes, stored.is_sensitive, stored.recorded_by) == (45, True, personas.you)
    event = AuditEvent.objects.get(object_id=str(contact.pk))
    assert (event.action, event.object_type) == (AuditAction.CREATE, "casework.contact")
    assert (event.actor, event.client_id) == (personas.you, client.pk)


def test_quick_note_defaults_to_now(personas):
    client = personas.client_of(personas.you)
    before = timezone.now()
    contact = contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Rang; fine.")
    assert before <= contact.occurred_at <= timezone.now()
    assert contact.duration_minutes is None
    assert contact.pathways == []


def test_on_hold_case_still_takes_contacts(personas):
    client = personas.client_of(personas.you)
    case = client.cases.get()
    case.status = CaseStatus.ON_HOLD
    case.save()
    assert contact_record(actor=personas.you, client=client, kind=ContactKind.TEXT, note="Texted.").case == case


def test_client_with_only_a_closed_case_gets_a_contact_with_no_case(personas):
    client = ClientFactory()
    CaseFactory(
        client=client,
        keyworker=personas.you,
        status=CaseStatus.CLOSED,
        closed_on=timezone.localdate(),
        closure_reason=ClosureReason.GOALS_MET,
    )
    contact = contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Checked in.")
    assert Contact.objects.get(pk=contact.pk).case is None


def test_contact_goes_against_the_newest_open_case_not_a_closed_one(personas):
    client = ClientFactory()
    today = timezone.localdate()
    CaseFactory(
        client=client,
        keyworker=personas.you,
        status=CaseStatus.CLOSED,
        opened_on=today - dt.timedelta(days=5),
        closed_on=today,
        closure_reason=ClosureReason.OTHER,
    )
    older = CaseFactory(client=client, keyworker=personas.you, opened_on=today - dt.timedelta(days=60))
    contact = contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Checked in.")
    assert contact.case == older


def test_contact_on_shared_client_goes_against_the_recorders_teams_case(personas):
    client = ClientFactory()
    today = timezone.localdate()
    ours = CaseFactory(
        client=client, keyworker=personas.you, team=personas.team, opened_on=today - dt.timedelta(days=90)
    )
    CaseFactory(
        client=client,
        keyworker=personas.other_caseworker,
        team=personas.other_team,
        opened_on=today - dt.timedelta(days=10),
    )
    contact = contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Checked in.")
    assert contact.case == ours


@pytest.mark.parametrize("actor", ["you", "teammate", "manager"])
def test_team_may_record(personas, actor):
    client = personas.client_of(personas.you)
    user = getattr(personas, actor)
    contact = contact_record(actor=user, client=client, kind=ContactKind.OFFICE, note="Met in the office.")
    assert Contact.objects.get(pk=contact.pk).recorded_by == user


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_record(personas, actor):
    client = personas.client_of(personas.you)
    before = _counts()
    with pytest.raises(NotAllowed):
        contact_record(actor=getattr(personas, actor), client=client, kind=ContactKind.PHONE, note="Hello.")
    assert _counts() == before


def test_inactive_caseworker_cannot_record(personas):
    client = personas.client_of(personas.you)
    personas.you.is_active = False
    personas.you.save()
    with pytest.raises(NotAllowed):
        contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Hello.")
    assert Contact.objects.count() == 0


def test_audit_failure_means_no_contact(personas, monkeypatch):
    client = personas.client_of(personas.you)

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    before = _counts()
    with pytest.raises(RuntimeError, match="audit store down"):
        contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Will not be kept.")
    assert _counts() == before
    assert not Contact.objects.filter(note="Will not be kept.").exists()


BAD_INPUT = [
    pytest.param({"note": ""}, "note", id="empty-note"),
    pytest.param({"note": " \n\t "}, "note", id="blank-note"),
    pytest.param({"occurred_at": "future"}, "occurred_at", id="future"),
    pytest.param({"duration_minutes": -1}, "duration_minutes", id="negative-duration"),
    pytest.param({"duration_minutes": 24 * 60 + 1}, "duration_minutes", id="over-a-day"),
    pytest.param({"kind": "gang_meeting"}, "kind", id="unknown-kind"),
    pytest.param({"kind": ""}, "kind", id="empty-kind"),
    pytest.param({"pathways": ["accommodation", "gang_affiliation"]}, "pathways", id="unknown-pathway"),
]


@pytest.mark.parametrize(("override", "field"), BAD_INPUT)
def test_bad_input_is_refused_with_field_error_and_changes_nothing(personas, override, field):
    client = personas.client_of(personas.you)
    values = {"kind": ContactKind.PHONE, "note": "Rang.", "occurred_at": timezone.now() - dt.timedelta(hours=1)}
    values.update(override)
    if values["occurred_at"] == "future":
        values["occurred_at"] = timezone.now() + dt.timedelta(hours=1)
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        contact_record(actor=personas.you, client=client, **values)
    assert set(raised.value.field_errors) == {field}
    assert all(raised.value.field_errors[field])
    assert _counts() == before


def test_every_problem_is_reported_at_once(personas):
    client = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as raised:
        contact_record(
            actor=personas.you,
            client=client,
            kind="nope",
            note="",
            duration_minutes=5000,
            occurred_at=timezone.now() + dt.timedelta(days=1),
            pathways=["nope"],
        )
    assert set(raised.value.field_errors) == {"kind", "note", "duration_minutes", "occurred_at", "pathways"}
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("minutes", [0, 24 * 60])
def test_duration_bounds_are_inclusive(personas, minutes):
    client = personas.client_of(personas.you)
    contact = contact_record(
        actor=personas.you, client=client, kind=ContactKind.COURT, note="At court.", duration_minutes=minutes
    )
    assert contact.duration_minutes == minutes


def test_a_clock_a_little_fast_is_tolerated(personas):
    client = personas.client_of(personas.you)
    contact_record(
        actor=personas.you,
        client=client,
        kind=ContactKind.PHONE,
        note="Rang.",
        occurred_at=timezone.now() + dt.timedelta(minutes=4),
    )
    assert Contact.objects.count() == 1


# --- contact_amend ---------------------------------------------------------------------------------


@pytest.fixture
def contact(personas) -> Contact:
    client = personas.client_of(personas.you)
    return contact_record(actor=personas.you, client=client, kind=ContactKind.PHONE, note="Said he was at Kev's.")


def test_amend_keeps_the_original_and_adds_an_amendment(personas, contact):
    amendment = contact_amend(
        actor=personas.you, contact=contact, text="  It was Kay's, not Kev's. ", reason=" Misheard "
    )
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.note == "Said he was at Kev's."
    assert stored.version == 1
    assert (amendment.text, amendment.reason, amendment.recorded_by) == (
        "It was Kay's, not Kev's.",
        "Misheard",
        personas.you,
    )
    event = AuditEvent.objects.get(object_id=str(contact.pk), action=AuditAction.UPDATE)
    assert event.detail == {"amendment": str(amendment.pk)}
    assert event.client_id == contact.client_id


def test_amendments_accumulate_in_order_and_show_with_the_contact(personas, contact):
    contact_amend(actor=personas.you, contact=contact, text="First fix.", reason="typo")
    contact_amend(actor=personas.teammate, contact=contact, text="Second fix.", reason="more detail")
    listed = contact_list_for(personas.manager, contact.client).get(pk=contact.pk)
    assert [a.text for a in listed.amendments.all()] == ["First fix.", "Second fix."]
    assert listed.note == "Said he was at Kev's."


@pytest.mark.parametrize(
    ("text", "reason", "fields"),
    [
        ("", "typo", {"text"}),
        ("Fix.", "  ", {"reason"}),
        (" ", "", {"text", "reason"}),
    ],
)
def test_amend_needs_text_and_reason(personas, contact, text, reason, fields):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        contact_amend(actor=personas.you, contact=contact, text=text, reason=reason)
    assert set(raised.value.field_errors) == fields
    assert _counts() == before


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_amend(personas, contact, actor):
    before = _counts()
    with pytest.raises(NotAllowed):
        contact_amend(actor=getattr(personas, actor), contact=contact, text="Fix.", reason="because")
    assert _counts() == before


def test_amend_rolls_back_when_audit_fails(personas, contact, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        contact_amend(actor=personas.you, contact=contact, text="Fix.", reason="because")
    assert ContactAmendment.objects.count() == 0


# --- timeline_for ----------------------------------------------------------------------------------


def _describe(entries) -> list[str]:
    out = []
    for e in entries:
        if e.kind == "contact":
            out.append(e.contact.note)
        else:
            out.append(f"{e.kind}:{e.case.reference}")
    return out


@pytest.fixture
def long_history(personas):
    """45 contacts, one a day at local noon 1..45 days ago, and three case episodes around them."""
    today = timezone.localdate()
    client = ClientFactory()
    CaseFactory(
        client=client,
        keyworker=personas.you,
        reference="KW-OLD",
        opened_on=today - dt.timedelta(days=100),
        status=CaseStatus.CLOSED,
        closed_on=today - dt.timedelta(days=30),
        closure_reason=ClosureReason.RETURNED_TO_CUSTODY,
    )
    CaseFactory(
        client=client,
        keyworker=personas.you,
        reference="KW-MID",
        opened_on=today - dt.timedelta(days=10),
        status=CaseStatus.ON_HOLD,
    )
    CaseFactory(client=client, keyworker=personas.you, reference="KW-NEW", opened_on=today)
    for d in range(1, 46):
        ContactFactory(
            client=client,
            recorded_by=personas.you,
            note=f"day-{d}",
            occurred_at=_local(today - dt.timedelta(days=d), 12),
        )
    return client


def test_timeline_pages_newest_first_with_case_events_in_place(personas, long_history):
    page1, paged1 = timeline_for(long_history, personas.you, page=1)
    page2, _ = timeline_for(long_history, personas.you, page=2)
    page3, paged3 = timeline_for(long_history, personas.you, page=3)
    assert paged1.paginator.num_pages == 3
    assert (paged1.has_next(), paged3.has_next()) == (True, False)

    days = lambda lo, hi: [f"day-{d}" for d in range(lo, hi + 1)]  # noqa: E731
    assert _describe(page1) == ["case_opened:KW-NEW", *days(1, 10), "case_opened:KW-MID", *days(11, 20)]
    assert _describe(page2) == [*days(21, 30), "case_closed:KW-OLD", *days(31, 40)]
    assert _describe(page3) == [*days(41, 45), "case_opened:KW-OLD"]


def test_every_case_event_appears_on_exactly_one_page(personas, long_history):
    seen = []
    for page in (1, 2, 3):
        entries, _ = timeline_for(long_history, personas.you, page=page)
        seen += [e for e in _describe(entries) if not e.startswith("day-")]
    assert sorted(seen) == sorted(
        ["case_opened:KW-NEW", "case_opened:KW-MID", "case_closed:KW-OLD", "case_opened:KW-OLD"]
    )


def test_case_event_on_a_page_boundary_day_is_shown_once_below_that_days_contacts(personas):
    today = timezone.localdate()
    client = ClientFactory()
    boundary = today - dt.timedelta(days=20)
    CaseFactory(
        client=client,
        keyworker=personas.you,
        reference="KW-B",
        opened_on=today - dt.timedelta(days=50),
        status=CaseStatus.CLOSED,
        closed_on=boundary,
        closure_reason=ClosureReason.OTHER,
    )
    for d in range(1, 20):  # 19 contacts on days 1..19, then two on the boundary day: one per page
        ContactFactory(
            client=client,
            recorded_by=personas.you,
            note=f"day-{d}",
            occurred_at=_local(today - dt.timedelta(days=d), 12),
        )
    ContactFactory(client=client, recorded_by=personas.you, note="boundary-late", occurred_at=_local(boundary, 15))
    ContactFactory(client=client, recorded_by=personas.you, note="boundary-early", occurred_at=_local(boundary, 9))
    page1, _ = timeline_for(client, personas.you, page=1)
    page2, _ = timeline_for(client, personas.you, page=2)
    assert _describe(page1)[-1] == "boundary-late"
    assert "case_closed:KW-B" not in _describe(page1)
    assert _describe(page2) == ["boundary-early", "case_closed:KW-B", "case_opened:KW-B"]


def test_timeline_with_no_contacts_shows_case_events(personas):
    client = personas.client_of(personas.you)
    entries, paged = timeline_for(client, personas.you)
    assert [e.kind for e in entries] == ["case_opened"]
    assert paged.paginator.count == 0


def test_page_out_of_range_gives_the_last_page(personas, long_history):
    entries, paged = timeline_for(long_history, personas.you, page=99)
    assert paged.number == 3
    assert _describe(entries)[-1] == "case_opened:KW-OLD"


def test_timeline_shows_no_contacts_to_another_team(personas, long_history):
    entries, _ = timeline_for(long_history, personas.other_caseworker)
    assert [e for e in entries if e.kind == "contact"] == []


def test_same_day_contacts_sort_by_time_then_recording(personas):
    client = personas.client_of(personas.you, first_name="Same")
    day = timezone.localdate() - dt.timedelta(days=3)
    ContactFactory(client=client, recorded_by=personas.you, note="morning", occurred_at=_local(day, 9))
    ContactFactory(client=client, recorded_by=personas.you, note="evening", occurred_at=_local(day, 19))
    entries, _ = timeline_for(client, personas.you)
    notes = [e.contact.note for e in entries if e.kind == "contact"]
    assert notes == ["evening", "morning"]


def test_timeline_dates_contacts_in_london_time(personas):
    opened = dt.date(2025, 6, 10)  # British Summer Time
    client = ClientFactory()
    CaseFactory(client=client, keyworker=personas.you, reference="KW-BST", opened_on=opened)
    ContactFactory(client=client, recorded_by=personas.you, note="noon", occurred_at=_local(opened, 12))
    ContactFactory(
        client=client, recorded_by=personas.you, note="just after midnight", occurred_at=_local(opened, 0, 30)
    )
    entries, _ = timeline_for(client, personas.you)
    assert _describe(entries) == ["noon", "just after midnight", "case_opened:KW-BST"]


def test_timeline_query_count_does_not_grow_with_contacts(personas, long_history, django_assert_max_num_queries):
    for contact in Contact.objects.filter(client=long_history)[:5]:
        contact_amend(actor=personas.you, contact=contact, text="Fixed.", reason="typo")
    with django_assert_max_num_queries(5):  # count, contacts, amendments, cases, letters
        entries, _ = timeline_for(long_history, personas.you, page=1)
        for e in entries:
            if e.contact is not None:
                assert e.contact.recorded_by.display_name
                assert all(a.recorded_by.display_name for a in e.contact.amendments.all())
                assert e.contact.case is None or e.contact.case.reference
            else:
                assert e.case.keyworker.display_name
                assert e.case.team.name
