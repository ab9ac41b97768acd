"""Milestone services: hand-recorded kinds with their evidence, computed kinds refused by hand, spells and checks,
proven offences, and the refresh that works the computed milestones out (idempotent). Bad input changes
nothing."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import CohortFactory, Personas, SpellFactory
from keyworker.outcomes.models import Milestone, MilestoneKind, ProvenOffence, Spell, SpellCheck
from keyworker.outcomes.rules.milestones import add_months
from keyworker.outcomes.services import milestones as services
from keyworker.services.models import Enrolment, EnrolmentStatus

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Milestone.objects.count(),
        Spell.objects.count(),
        SpellCheck.objects.count(),
        ProvenOffence.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.VIEW).count(),
    )


def _record(personas: Personas, client, **overrides):
    values = {
        "kind": MilestoneKind.DRUG_FREE,
        "achieved_on": TODAY() - dt.timedelta(days=3),
        "evidence_kind": "test",
        "evidence": "Clear urine test at the Brief Intervention Service.",
        "detail": "",
    }
    values.update(overrides)
    return services.milestone_record(actor=personas.you, client=client, **values)


def test_record_a_hand_milestone_audited_with_the_client(personas: Personas):
    client = personas.client_of(personas.you)
    milestone = _record(personas, client)
    assert milestone.recorded_by == personas.you and milestone.evidence_kind == "test"
    event = AuditEvent.objects.get(object_id=str(milestone.pk), action=AuditAction.CREATE)
    assert event.client_id == client.pk and event.detail == {"kind": "drug_free", "evidence_kind": "test"}


@pytest.mark.parametrize(
    "kind",
    ["work_13", "work_26", "housing_3", "housing_6", "housing_12", "no_reoffending_12", "completed_course"],
)
def test_computed_kinds_are_refused_by_hand(personas: Personas, kind):
    client = personas.client_of(personas.you)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        _record(personas, client, kind=kind, evidence_kind="document")
    assert "worked out from the dated checks" in exc.value.field_errors["kind"][0]
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "left_group", "evidence_kind": "third_party"}, "evidence_kind"),  # self-declared only
        ({"kind": "drug_free", "evidence_kind": "document"}, "evidence_kind"),  # a test or self-report
        ({"evidence_kind": "computed"}, "evidence_kind"),
        ({"kind": "nonsense"}, "kind"),
        ({"achieved_on": None}, "achieved_on"),
        ({"achieved_on": dt.date(2999, 1, 1)}, "achieved_on"),
        ({"evidence": "   "}, "evidence"),
        ({"evidence": "x" * 5001}, "evidence"),
        ({"kind": "qualification", "evidence_kind": "document", "detail": ""}, "detail"),
        ({"kind": "entered_ete", "evidence_kind": "document", "detail": "x" * 201}, "detail"),
    ],
)
def test_bad_milestones_change_nothing(personas: Personas, overrides, field):
    client = personas.client_of(personas.you)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        _record(personas, client, **overrides)
    assert field in exc.value.field_errors
    assert _counts() == before


def test_left_the_group_is_self_declared(personas: Personas):
    client = personas.client_of(personas.you)
    milestone = _record(personas, client, kind="left_group", evidence_kind="self_report", evidence="Told me today.")
    assert milestone.get_kind_display() == "Left the group (self-declared)"


def test_someone_who_cannot_see_the_client_finds_nothing(personas: Personas):
    client = personas.client_of(personas.you)
    spell = SpellFactory(client=client, recorded_by=personas.you)
    before = _counts()
    for actor in (personas.other_caseworker, personas.report_viewer, personas.peer_mentor, personas.on_call):
        with pytest.raises(NotFound):
            services.milestone_record(
                actor=actor,
                client=client,
                kind="drug_free",
                achieved_on=TODAY(),
                evidence_kind="test",
                evidence="Test",
            )
        with pytest.raises(NotFound):
            services.spell_check_add(
                actor=actor, spell=spell, checked_on=TODAY(), still_going=True, evidence_kind="document"
            )
        with pytest.raises(NotFound):
            services.proven_offence_record(
                actor=actor, client=client, offence_on=TODAY(), proven_on=TODAY(), description="Theft", source="Court"
            )
    assert _counts() == before


# ------------------------------------------------------------------------------------------ spells


def test_work_sustained_13_then_26_weeks_from_checks(personas: Personas):
    client = personas.client_of(personas.you)
    start = TODAY() - dt.timedelta(weeks=30)
    spell = services.spell_start(
        actor=personas.you, client=client, kind="work", description="Warehouse operative", started_on=start
    )
    services.spell_check_add(
        actor=personas.you,
        spell=spell,
        checked_on=start + dt.timedelta(weeks=10),
        still_going=True,
        evidence_kind="document",
    )
    assert not Milestone.objects.filter(client=client, kind__startswith="work").exists()
    services.spell_check_add(
        actor=personas.teammate,
        spell=spell,
        checked_on=start + dt.timedelta(weeks=14),
        still_going=True,
        evidence_kind="third_party",
        note="Employer rang.",
    )
    work13 = Milestone.objects.get(client=client, kind="work_13")
    assert work13.achieved_on == start + dt.timedelta(weeks=13)
    assert work13.evidence_kind == "computed" and work13.recorded_by == personas.teammate
    assert work13.detail == "Warehouse operative"
    assert not Milestone.objects.filter(kind="work_26").exists()
    services.spell_check_add(
        actor=personas.you, spell=spell, checked_on=TODAY(), still_going=True, evidence_kind="self_report"
    )
    assert Milestone.objects.get(kind="work_26").achieved_on == start + dt.timedelta(weeks=26)
    created = AuditEvent.objects.filter(object_type="outcomes.milestone", action=AuditAction.CREATE)
    assert {e.client_id for e in created} == {client.pk}


def test_a_not_going_check_ends_the_spell_before_the_target(personas: Personas):
    client = personas.client_of(personas.you)
    start = TODAY() - dt.timedelta(weeks=20)
    spell = SpellFactory(client=client, started_on=start, recorded_by=personas.you)
    services.spell_check_add(
        actor=personas.you,
        spell=spell,
        checked_on=start + dt.timedelta(weeks=5),
        still_going=False,
        evidence_kind="self_report",
    )
    spell.refresh_from_db()
    assert spell.ended_on == start + dt.timedelta(weeks=5)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.spell_check_add(
            actor=personas.you, spell=spell, checked_on=TODAY(), still_going=True, evidence_kind="document"
        )
    assert "new one" in exc.value.field_errors["checked_on"][0]
    assert _counts() == before
    assert not Milestone.objects.filter(client=client).exclude(kind="no_reoffending_12").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"checked_on": None}, "checked_on"),
        ({"checked_on": dt.date(2999, 1, 1)}, "checked_on"),
        ({"checked_on": dt.date(2000, 1, 1)}, "checked_on"),  # before the start
        ({"still_going": None}, "still_going"),
        ({"evidence_kind": "computed"}, "evidence_kind"),
        ({"evidence_kind": "test"}, "evidence_kind"),
        ({"note": "x" * 301}, "note"),
    ],
)
def test_bad_checks_change_nothing(personas: Personas, overrides, field):
    client = personas.client_of(personas.you)
    spell = SpellFactory(client=client, recorded_by=personas.you)
    values = {"checked_on": TODAY(), "still_going": True, "evidence_kind": "document", "note": ""}
    values.update(overrides)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.spell_check_add(actor=personas.you, spell=spell, **values)
    assert field in exc.value.field_errors
    assert _counts() == before


def test_checks_are_added_in_date_order(personas: Personas):
    client = personas.client_of(personas.you)
    spell = SpellFactory(client=client, recorded_by=personas.you)
    services.spell_check_add(
        actor=personas.you, spell=spell, checked_on=TODAY(), still_going=True, evidence_kind="document"
    )
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.spell_check_add(
            actor=personas.you,
            spell=spell,
            checked_on=TODAY() - dt.timedelta(days=1),
            still_going=False,
            evidence_kind="document",
        )
    assert "cannot be dated before it" in exc.value.field_errors["checked_on"][0]
    assert _counts() == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "prison"}, "kind"),
        ({"description": ""}, "description"),
        ({"description": "x" * 201}, "description"),
        ({"started_on": None}, "started_on"),
        ({"started_on": dt.date(2999, 1, 1)}, "started_on"),
    ],
)
def test_bad_spells_change_nothing(personas: Personas, overrides, field):
    client = personas.client_of(personas.you)
    values = {"kind": "accommodation", "description": "Supported housing", "started_on": TODAY()}
    values.update(overrides)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.spell_start(actor=personas.you, client=client, **values)
    assert field in exc.value.field_errors
    assert _counts() == before


def test_ending_a_spell(personas: Personas):
    client = personas.client_of(personas.you)
    start = TODAY() - dt.timedelta(days=200)
    spell = SpellFactory(client=client, kind="accommodation", started_on=start, recorded_by=personas.you)
    services.spell_check_add(
        actor=personas.you, spell=spell, checked_on=add_months(start, 3), still_going=True, evidence_kind="document"
    )
    spell.refresh_from_db()
    with pytest.raises(ConcurrentEdit):
        services.spell_end(actor=personas.you, spell=spell, ended_on=TODAY(), expected_version=spell.version + 5)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.spell_end(
            actor=personas.you, spell=spell, ended_on=add_months(start, 2), expected_version=spell.version
        )
    assert "still going then" in exc.value.field_errors["ended_on"][0]
    assert _counts() == before
    services.spell_end(actor=personas.you, spell=spell, ended_on=TODAY(), expected_version=spell.version)
    spell.refresh_from_db()
    assert spell.ended_on == TODAY()
    # what it reached stays reached
    assert Milestone.objects.filter(client=client, kind="housing_3").count() == 1
    assert not Milestone.objects.filter(client=client, kind="housing_6").exists()


# ------------------------------------------------------------------------------------------ refresh


def test_refresh_is_idempotent(personas: Personas):
    client = personas.client_of(personas.you)
    start = TODAY() - dt.timedelta(weeks=30)
    spell = SpellFactory(client=client, started_on=start, recorded_by=personas.you)
    SpellCheck.objects.create(
        spell=spell, checked_on=TODAY(), still_going=True, evidence_kind="document", checked_by=personas.you
    )
    first = services.milestones_refresh(client=client, actor=personas.you)
    assert sorted(m.kind for m in first) == ["work_13", "work_26"]
    before = _counts()
    assert services.milestones_refresh(client=client, actor=personas.you) == []
    assert services.milestones_refresh(client=client) == []
    assert _counts() == before


def test_course_completion_becomes_milestones(personas: Personas):
    from keyworker.services.services import courses as course_services

    client = personas.client_of(personas.you)
    cohort = CohortFactory(starts_on=TODAY() - dt.timedelta(days=30), ends_on=TODAY())
    course = cohort.course
    course.title, course.qualification = "Construction skills", "CSCS card"
    course.save()
    enrolment = Enrolment.objects.create(
        cohort=cohort,
        client=client,
        status=EnrolmentStatus.ENROLLED,
        enrolled_on=cohort.starts_on,
        enrolled_by=personas.teammate,
    )
    course_services.enrolment_complete(actor=personas.you, enrolment=enrolment, expected_version=enrolment.version)
    # Completing the course works the milestones out at once; a later refresh finds nothing more to add.
    by_kind = {m.kind: m for m in Milestone.objects.filter(client=client)}
    assert services.milestones_refresh(client=client, actor=personas.you) == []
    assert set(by_kind) == {"completed_course", "qualification"}
    assert by_kind["completed_course"].detail == "Construction skills"
    assert by_kind["completed_course"].evidence_kind == "records"
    assert by_kind["completed_course"].achieved_on == TODAY()
    assert by_kind["qualification"].detail == "CSCS card"
    assert services.milestones_refresh(client=client, actor=personas.you) == []


def test_a_qualification_recorded_by_hand_is_not_doubled(personas: Personas):
    client = personas.client_of(personas.you)
    cohort = CohortFactory(starts_on=TODAY() - dt.timedelta(days=30), ends_on=TODAY())
    Enrolment.objects.create(
        cohort=cohort,
        client=client,
        status=EnrolmentStatus.COMPLETED,
        completed_on=TODAY(),
        qualification_gained="CSCS card",
        enrolled_by=personas.you,
    )
    _record(personas, client, kind="qualification", evidence_kind="document", detail="cscs card", evidence="Card seen.")
    created = services.milestones_refresh(client=client, actor=personas.you)
    assert [m.kind for m in created] == ["completed_course"]


def test_no_proven_reoffending_becomes_measurable_with_time(personas: Personas):
    client = personas.client_of(personas.you)
    start = add_months(TODAY(), -20)
    client.cases.update(opened_on=start)
    # 17 months on: not yet measurable, nothing recorded
    assert services.milestones_refresh(client=client, today=add_months(start, 17)) == []
    out = StringIO()
    call_command("milestones", "refresh", stdout=out)
    assert "1 worked out" in out.getvalue()
    milestone = Milestone.objects.get(client=client, kind="no_reoffending_12")
    assert milestone.achieved_on == add_months(start, 18)
    assert milestone.recorded_by == personas.you  # the keyworker of the first case, when the system works it out
    assert milestone.evidence_kind == "computed"
    call_command("milestones", "refresh", stdout=StringIO())
    assert Milestone.objects.filter(client=client, kind="no_reoffending_12").count() == 1


def test_a_proven_offence_in_the_year_withdraws_no_reoffending(personas: Personas):
    client = personas.client_of(personas.you)
    start = add_months(TODAY(), -20)
    client.cases.update(opened_on=start)
    services.milestones_refresh(client=client, actor=personas.you)
    assert Milestone.objects.filter(client=client, kind="no_reoffending_12").exists()
    services.proven_offence_record(
        actor=personas.you,
        client=client,
        offence_on=add_months(start, 6),
        proven_on=add_months(start, 10),
        description="Theft from a shop",
        source="Court result",
    )
    assert not Milestone.objects.filter(client=client, kind="no_reoffending_12").exists()
    assert AuditEvent.objects.filter(
        object_type="outcomes.milestone", action=AuditAction.UPDATE, client_id=client.pk, detail__withdrawn=True
    ).exists()


def test_an_offence_after_the_year_leaves_it(personas: Personas):
    client = personas.client_of(personas.you)
    start = add_months(TODAY(), -20)
    client.cases.update(opened_on=start)
    services.proven_offence_record(
        actor=personas.you,
        client=client,
        offence_on=add_months(start, 13),
        proven_on=add_months(start, 14),
        description="Criminal damage",
        source="Probation",
    )
    assert Milestone.objects.filter(client=client, kind="no_reoffending_12").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"offence_on": None}, "offence_on"),
        ({"proven_on": dt.date(2999, 1, 1)}, "proven_on"),
        ({"offence_on": TODAY(), "proven_on": TODAY() - dt.timedelta(days=1)}, "proven_on"),
        ({"description": " "}, "description"),
        ({"source": ""}, "source"),
    ],
)
def test_bad_offences_change_nothing(personas: Personas, overrides, field):
    client = personas.client_of(personas.you)
    values = {
        "offence_on": TODAY() - dt.timedelta(days=10),
        "proven_on": TODAY(),
        "description": "Theft",
        "source": "Court",
    }
    values.update(overrides)
    before = _counts()
    with pytest.raises(ValidationFailed) as exc:
        services.proven_offence_record(actor=personas.you, client=client, **values)
    assert field in exc.value.field_errors
    assert _counts() == before


def test_refresh_command_refuses_a_future_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("milestones", "refresh", "--today", "2999-01-01", stdout=StringIO())
