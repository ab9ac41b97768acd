"""Custody and court services: each behaviour, and that bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import ChargeFactory, EstablishmentFactory, HearingFactory, Personas
from keyworker.custody import services
from keyworker.custody.models import (
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    EstablishmentKind,
    Hearing,
    HearingOutcome,
    LegalStatus,
    NeedStatus,
    ReleaseNeed,
    ReleaseNeedUpdate,
)
from keyworker.custody.rules import CATALOGUE, CATALOGUE_BY_KEY

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _open(p: Personas, client=None, **fields) -> CustodyEpisode:
    client = client or p.client_of(p.you)
    values = {
        "establishment": EstablishmentFactory(),
        "received_on": TODAY() - dt.timedelta(days=100),
        "release_on": TODAY() + dt.timedelta(days=30),
        "prison_number": "a1234bc",
    }
    values.update(fields)
    return services.custody_episode_open(actor=p.you, client=client, **values)


def _court():
    return EstablishmentFactory(kind=EstablishmentKind.MAGISTRATES_COURT, name="Highbury Test Magistrates")


def _past_hearing(p: Personas, client, **fields) -> Hearing:
    starts = timezone.now() - dt.timedelta(hours=3)
    return HearingFactory(client=client, recorded_by=p.you, starts_at=starts, **fields)


# ---------------------------------------------------------------------------------------------- directory


def test_directory_entries_are_added_and_changed_with_an_audit_but_no_client(personas: Personas):
    prison = services.establishment_create(
        actor=personas.you, kind=EstablishmentKind.PRISON, name=" HMP Example ", postcode="n7 8tt"
    )
    assert (prison.name, prison.postcode) == ("HMP Example", "N7 8TT")
    services.establishment_update(
        actor=personas.teammate,
        establishment=prison,
        expected_version=prison.version,
        visiting_arrangements="Book legal visits by email, 48 hours ahead.",
        phone="020 7000 0000",
    )
    prison.refresh_from_db()
    assert prison.visiting_arrangements.startswith("Book legal visits") and prison.version == 2
    events = AuditEvent.objects.filter(object_id=str(prison.pk)).order_by("sequence")
    assert [e.action for e in events] == [AuditAction.CREATE, AuditAction.UPDATE]
    assert all(e.client_id is None for e in events)
    assert events[1].detail == {"fields": ["phone", "visiting_arrangements"]}
    with pytest.raises(ConcurrentEdit):
        services.establishment_update(actor=personas.you, establishment=prison, expected_version=1, phone="0")


def test_directory_refuses_bad_entries_and_other_roles(personas: Personas):
    services.establishment_create(actor=personas.you, kind=EstablishmentKind.PRISON, name="HMP Example")
    with pytest.raises(ValidationFailed) as exc:
        services.establishment_create(actor=personas.you, kind=EstablishmentKind.PRISON, name="hmp example")
    assert "name" in exc.value.field_errors
    with pytest.raises(ValidationFailed) as exc:
        services.establishment_create(actor=personas.you, kind="castle", name="")
    assert set(exc.value.field_errors) == {"kind", "name"}
    with pytest.raises(NotAllowed):
        services.establishment_create(actor=personas.report_viewer, kind=EstablishmentKind.PRISON, name="HMP New")
    assert list(Establishment.objects.filter(name__icontains="example").values_list("name", flat=True)) == [
        "HMP Example"
    ]


# ------------------------------------------------------------------------------------- episodes and plans


def test_opening_custody_writes_the_release_plan(personas: Personas):
    client = personas.client_of(personas.you)
    episode = _open(personas, client, probation_practitioner="Pat Probation")
    assert episode.prison_number == "A1234BC" and episode.case == client.cases.get()
    needs = list(episode.needs.all())
    assert len(needs) == len(CATALOGUE)
    for need in needs:
        template = CATALOGUE_BY_KEY[need.need]
        assert need.status == NeedStatus.NOT_STARTED and need.pathway == template.pathway
        assert need.due_on == episode.release_on - dt.timedelta(days=template.days_before)
    event = AuditEvent.objects.get(object_id=str(episode.pk), action=AuditAction.CREATE)
    assert event.client_id == client.pk and event.actor == personas.you


def test_bad_custody_input_changes_nothing(personas: Personas):
    client = personas.client_of(personas.you)
    court = _court()
    with pytest.raises(ValidationFailed) as exc:
        _open(
            personas,
            client,
            establishment=court,
            received_on=TODAY() + dt.timedelta(days=1),
            release_on=TODAY() - dt.timedelta(days=400),
            legal_status="arrested",
        )
    assert {"establishment", "received_on", "legal_status"} <= set(exc.value.field_errors)
    with pytest.raises(ValidationFailed) as exc:
        _open(personas, client, release_on=TODAY() - dt.timedelta(days=200))
    assert "release_on" in exc.value.field_errors
    with pytest.raises(NotAllowed):
        _open(personas, personas.client_of(personas.other_caseworker))
    assert not CustodyEpisode.objects.exists() and not ReleaseNeed.objects.exists()
    _open(personas, client)
    with pytest.raises(ValidationFailed, match="already in custody"):
        _open(personas, client)
    assert CustodyEpisode.objects.count() == 1


def test_moving_the_release_date_redates_only_the_open_needs(personas: Personas):
    episode = _open(personas)
    met = episode.needs.get(need="gp")
    services.release_need_update(actor=personas.you, need=met, expected_version=met.version, status=NeedStatus.MET)
    mine = services.release_need_add(
        actor=personas.you,
        episode=episode,
        title="Replacement glasses",
        pathway="health",
        due_on=episode.release_on - dt.timedelta(days=5),
    )
    met_due = met.due_on
    new_release = episode.release_on + dt.timedelta(days=14)
    services.custody_episode_update(
        actor=personas.you, episode=episode, expected_version=episode.version, release_on=new_release
    )
    first_night = episode.needs.get(need="first_night")
    assert first_night.due_on == new_release - dt.timedelta(days=14)
    assert episode.needs.get(need="gp").due_on == met_due  # settled: left alone
    mine.refresh_from_db()
    assert mine.due_on == new_release - dt.timedelta(days=5)
    event = AuditEvent.objects.filter(object_id=str(episode.pk), action=AuditAction.UPDATE).get()
    assert event.detail["fields"] == ["release_on"] and event.detail["needs_redated"] == len(CATALOGUE)
    with pytest.raises(ConcurrentEdit):
        services.custody_episode_update(actor=personas.you, episode=episode, expected_version=1, prison_number="X1")
    with pytest.raises(ValidationFailed):
        services.custody_episode_update(
            actor=personas.you,
            episode=episode,
            expected_version=episode.version,
            release_on=episode.received_on - dt.timedelta(days=1),
        )
    episode.refresh_from_db()
    assert episode.release_on == new_release and episode.prison_number == "A1234BC"


def test_a_transfer_moves_the_episode_and_keeps_the_history(personas: Personas):
    episode = _open(personas)
    first_prison = episode.establishment
    second, third = EstablishmentFactory(name="HMP Second"), EstablishmentFactory(name="HMP Third")
    services.custody_transfer_record(
        actor=personas.you,
        episode=episode,
        expected_version=episode.version,
        to_establishment=second,
        transferred_on=TODAY() - dt.timedelta(days=20),
    )
    services.custody_transfer_record(
        actor=personas.teammate,
        episode=episode,
        expected_version=episode.version,
        to_establishment=third,
        transferred_on=TODAY(),
        prison_number="b9999zz",
    )
    episode.refresh_from_db()
    assert episode.establishment == third and episode.prison_number == "B9999ZZ"
    moves = [(t.from_establishment, t.to_establishment) for t in episode.transfers.all()]
    assert moves == [(first_prison, second), (second, third)]
    for bad in (
        {"to_establishment": third, "transferred_on": TODAY()},  # already there
        {"to_establishment": _court(), "transferred_on": TODAY()},
        {"to_establishment": second, "transferred_on": TODAY() + dt.timedelta(days=1)},
        {"to_establishment": second, "transferred_on": episode.received_on - dt.timedelta(days=1)},
    ):
        with pytest.raises(ValidationFailed):
            services.custody_transfer_record(
                actor=personas.you, episode=episode, expected_version=episode.version, **bad
            )
    assert CustodyTransfer.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="custody.custodytransfer", client_id=episode.client_id).count() == 2


def test_release_is_recorded_once_and_not_in_the_future(personas: Personas):
    episode = _open(personas)
    for day in (TODAY() + dt.timedelta(days=1), episode.received_on - dt.timedelta(days=1), None):
        with pytest.raises(ValidationFailed):
            services.custody_release_record(
                actor=personas.you, episode=episode, expected_version=episode.version, released_on=day
            )
    episode.refresh_from_db()
    assert episode.released_on is None
    services.custody_release_record(
        actor=personas.you, episode=episode, expected_version=episode.version, released_on=TODAY()
    )
    assert CustodyEpisode.objects.get().released_on == TODAY()
    with pytest.raises(ValidationFailed, match="already recorded"):
        services.custody_release_record(
            actor=personas.you, episode=episode, expected_version=episode.version, released_on=TODAY()
        )
    with pytest.raises(ValidationFailed):  # nothing to transfer any more
        services.custody_transfer_record(
            actor=personas.you,
            episode=episode,
            expected_version=episode.version,
            to_establishment=EstablishmentFactory(),
            transferred_on=TODAY(),
        )
    _open(personas, episode.client, received_on=TODAY())  # a new spell may start now


def test_need_updates_keep_a_dated_history(personas: Personas):
    episode = _open(personas)
    need = episode.needs.get(need="first_night")
    services.release_need_update(
        actor=personas.you,
        need=need,
        expected_version=need.version,
        status=NeedStatus.IN_PROGRESS,
        note="Referred to St Mungo's.",
    )
    services.release_need_update(
        actor=personas.teammate,
        need=need,
        expected_version=need.version,
        status=NeedStatus.IN_PROGRESS,
        note="Bed confirmed for the night of release.",
    )
    services.release_need_update(actor=personas.you, need=need, expected_version=need.version, status="met")
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and need.version == 4
    history = list(need.updates.values_list("status", "note", "recorded_by"))
    assert history == [
        ("in_progress", "Referred to St Mungo's.", personas.you.pk),
        ("in_progress", "Bed confirmed for the night of release.", personas.teammate.pk),
        ("met", "", personas.you.pk),
    ]
    for bad in ({"status": "done"}, {"status": "met"}):  # unknown; and no change with no note
        with pytest.raises(ValidationFailed):
            services.release_need_update(actor=personas.you, need=need, expected_version=need.version, **bad)
    with pytest.raises(ConcurrentEdit):
        services.release_need_update(actor=personas.you, need=need, expected_version=2, status="declined")
    with pytest.raises(NotAllowed):
        services.release_need_update(
            actor=personas.other_caseworker, need=need, expected_version=need.version, status="declined"
        )
    assert ReleaseNeedUpdate.objects.count() == 3
    assert ReleaseNeed.objects.get(pk=need.pk).status == NeedStatus.MET
    assert AuditEvent.objects.filter(object_id=str(need.pk), client_id=episode.client_id).count() == 3


def test_a_custom_need_is_due_by_the_release(personas: Personas):
    episode = _open(personas)
    with pytest.raises(ValidationFailed) as exc:
        services.release_need_add(
            actor=personas.you,
            episode=episode,
            title=" ",
            pathway="gangs",
            due_on=episode.release_on + dt.timedelta(days=1),
        )
    assert set(exc.value.field_errors) == {"title", "pathway", "due_on"}
    need = services.release_need_add(actor=personas.you, episode=episode, title="Oyster card", pathway="finance")
    need2 = services.release_need_add(actor=personas.you, episode=episode, title="Gym pass", pathway="health")
    assert need.need == need2.need == "other" and episode.needs.count() == len(CATALOGUE) + 2


# ---------------------------------------------------------------------------------------- charges, hearings


def test_charges_are_allegations_with_a_source(personas: Personas):
    client = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as exc:
        services.charge_record(actor=personas.you, client=client, offence="", source="rumour")
    assert set(exc.value.field_errors) == {"offence", "source"}
    charge = services.charge_record(
        actor=personas.you, client=client, offence="Robbery", source="solicitor", source_detail="Ms Khan"
    )
    assert str(charge) == "Robbery (alleged)"
    assert AuditEvent.objects.filter(object_id=str(charge.pk), client_id=client.pk).exists()


def test_scheduling_a_hearing(personas: Personas):
    client = personas.client_of(personas.you)
    charge = ChargeFactory(client=client, recorded_by=personas.you)
    someone_elses = ChargeFactory(recorded_by=personas.you)
    starts = timezone.now() + dt.timedelta(days=7)
    with pytest.raises(ValidationFailed) as exc:
        services.hearing_schedule(
            actor=personas.you,
            client=client,
            court=EstablishmentFactory(),
            starts_at=None,
            kind="duel",
            charges=[someone_elses],
        )
    assert set(exc.value.field_errors) == {"court", "starts_at", "kind", "charges"}
    assert not Hearing.objects.exists()
    hearing = services.hearing_schedule(
        actor=personas.you, client=client, court=_court(), starts_at=starts, kind="plea", charges=[charge]
    )
    assert list(hearing.charges.all()) == [charge] and hearing.case == client.cases.get()
    with pytest.raises(NotAllowed):
        services.hearing_schedule(
            actor=personas.other_caseworker, client=client, court=_court(), starts_at=starts, kind="plea"
        )


def test_an_outcome_is_recorded_once(personas: Personas):
    client = personas.client_of(personas.you)
    hearing = _past_hearing(personas, client)
    services.hearing_outcome_record(
        actor=personas.you,
        hearing=hearing,
        expected_version=hearing.version,
        outcome=HearingOutcome.COMMUNITY_ORDER,
        outcome_detail="12 months, 100 hours unpaid work.",
    )
    hearing.refresh_from_db()
    assert hearing.outcome == "community_order" and hearing.outcome_recorded_by == personas.you
    with pytest.raises(ValidationFailed, match="already recorded"):
        services.hearing_outcome_record(
            actor=personas.you, hearing=hearing, expected_version=hearing.version, outcome=HearingOutcome.ACQUITTED
        )
    # The explicit correction path changes the wording, never the outcome.
    services.hearing_outcome_correct(
        actor=personas.you,
        hearing=hearing,
        expected_version=hearing.version,
        outcome_detail="12 months, 120 hours unpaid work.",
    )
    hearing.refresh_from_db()
    assert hearing.outcome == "community_order" and hearing.outcome_detail.startswith("12 months, 120")
    assert [e.detail for e in AuditEvent.objects.filter(object_id=str(hearing.pk)).order_by("sequence")] == [
        {"outcome": "community_order"},
        {"corrected": True},
    ]


def test_outcome_bad_input_changes_nothing(personas: Personas):
    client = personas.client_of(personas.you)
    future = HearingFactory(client=client, recorded_by=personas.you)  # three days ahead
    with pytest.raises(ValidationFailed) as exc:
        services.hearing_outcome_record(
            actor=personas.you, hearing=future, expected_version=future.version, outcome="fine"
        )
    assert "outcome" in exc.value.field_errors
    hearing = _past_hearing(personas, client)
    cases = [
        ({"outcome": "adjourned"}, "next_starts_at"),
        ({"outcome": "adjourned", "next_starts_at": hearing.starts_at - dt.timedelta(days=1)}, "next_starts_at"),
        ({"outcome": "custodial", "establishment": EstablishmentFactory()}, "sentence_length"),
        ({"outcome": "remanded"}, "establishment"),
        ({"outcome": "remanded", "establishment": _court()}, "establishment"),
        (
            {
                "outcome": "custodial",
                "sentence_length": "2 years",
                "establishment": EstablishmentFactory(),
                "release_on": hearing.starts_at.date() - dt.timedelta(days=5),
            },
            "release_on",
        ),
        ({"outcome": "banished"}, "outcome"),
    ]
    for fields, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.hearing_outcome_record(
                actor=personas.you, hearing=hearing, expected_version=hearing.version, **fields
            )
        assert field in exc.value.field_errors, fields
    with pytest.raises(ConcurrentEdit):
        services.hearing_outcome_record(actor=personas.you, hearing=hearing, expected_version=99, outcome="fine")
    hearing.refresh_from_db()
    assert hearing.outcome == "" and Hearing.objects.count() == 2 and not CustodyEpisode.objects.exists()


def test_an_adjournment_makes_the_next_hearing(personas: Personas):
    client = personas.client_of(personas.you)
    charges = [ChargeFactory(client=client, recorded_by=personas.you) for _ in range(2)]
    hearing = _past_hearing(personas, client, description="Possession with intent")
    hearing.charges.set(charges)
    next_at = hearing.starts_at + dt.timedelta(days=28)
    services.hearing_outcome_record(
        actor=personas.you,
        hearing=hearing,
        expected_version=hearing.version,
        outcome="adjourned",
        next_starts_at=next_at,
        next_kind="trial",
    )
    hearing.refresh_from_db()
    following = hearing.next_hearing
    assert following is not None and following.starts_at == next_at and following.kind == "trial"
    assert (following.court, following.client, following.description) == (hearing.court, client, hearing.description)
    assert set(following.charges.all()) == set(charges) and following.outcome == ""
    assert AuditEvent.objects.filter(object_id=str(following.pk), action=AuditAction.CREATE).exists()


def test_a_custodial_outcome_opens_custody_with_its_plan(personas: Personas):
    client = personas.client_of(personas.you)
    hearing = _past_hearing(personas, client)
    prison = EstablishmentFactory(name="HMP Wandsworth Test")
    release = TODAY() + dt.timedelta(days=180)
    services.hearing_outcome_record(
        actor=personas.you,
        hearing=hearing,
        expected_version=hearing.version,
        outcome="custodial",
        sentence_length="18 months",
        establishment=prison,
        prison_number="a1111aa",
        release_on=release,
    )
    episode = CustodyEpisode.objects.get(client=client)
    assert (episode.establishment, episode.source_hearing, episode.legal_status) == (prison, hearing, "sentenced")
    assert episode.sentence_length == "18 months" and episode.received_on == timezone.localdate(hearing.starts_at)
    assert episode.sentenced_on == episode.received_on and episode.release_on == release
    assert episode.prison_number == "A1111AA" and episode.needs.count() == len(CATALOGUE)


def test_remand_then_sentence_updates_the_same_episode(personas: Personas):
    client = personas.client_of(personas.you)
    first = _past_hearing(personas, client)
    first.starts_at -= dt.timedelta(days=60)
    first.save()
    prison = EstablishmentFactory(name="HMP Thameside Test")
    services.hearing_outcome_record(
        actor=personas.you, hearing=first, expected_version=first.version, outcome="remanded", establishment=prison
    )
    episode = CustodyEpisode.objects.get()
    assert episode.legal_status == LegalStatus.REMANDED and episode.source_hearing == first
    second = _past_hearing(personas, client)
    release = TODAY() + dt.timedelta(days=60)
    services.hearing_outcome_record(
        actor=personas.you,
        hearing=second,
        expected_version=second.version,
        outcome="custodial",
        sentence_length="2 years",
        release_on=release,
    )
    episode.refresh_from_db()
    assert CustodyEpisode.objects.count() == 1
    assert (episode.legal_status, episode.sentence_length, episode.release_on) == ("sentenced", "2 years", release)
    assert episode.needs.get(need="first_night").due_on == release - dt.timedelta(days=14)
