"""Lone-working services: checking in with bad input changes nothing and queues nothing; who may check out,
extend, ask for help and stand down; each write is audited; the jobs queued at check-in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import AppointmentFactory, LoneWorkingVisitFactory, Personas, UserFactory
from keyworker.diary.models import AppointmentKind, LoneWorkingStatus, LoneWorkingVisit
from keyworker.diary.services.lone_working import (
    lone_working_check_out,
    lone_working_escalate,
    lone_working_extend,
    lone_working_help,
    lone_working_resolve,
    lone_working_start,
)

pytestmark = pytest.mark.django_db
ADDRESS = "Flat 3, 12 Example Road, London SE5 0AA"


def _start(personas: Personas, **overrides):
    fields = {
        "actor": personas.you,
        "place": ADDRESS,
        "with_whom": "The client",
        "expected_end": timezone.now() + dt.timedelta(hours=1),
        "buddy": personas.teammate,
        **overrides,
    }
    return lone_working_start(**fields)


def _nothing_saved() -> None:
    assert not LoneWorkingVisit.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_check_in_queues_a_job_at_each_rung_and_is_audited(personas: Personas):
    visit = _start(personas)
    jobs = DBTaskResult.objects.order_by("run_after")
    assert [job.run_after for job in jobs] == [
        visit.expected_end + dt.timedelta(minutes=15),
        visit.expected_end + dt.timedelta(minutes=30),
    ]
    assert all(job.task_path.endswith("lone_working_escalate_job") for job in jobs)
    assert all(job.args_kwargs["kwargs"] == {"visit_id": str(visit.pk)} for job in jobs)
    assert AuditEvent.objects.filter(object_id=str(visit.pk), action=AuditAction.CREATE, actor=personas.you).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"expected_end": "past"}, "expected_end", "The expected end must be later than now."),
        ({"expected_end": "too_late"}, "expected_end", "The expected end must be within 12 hours."),
        ({"place": "blank"}, "place", "Enter the address of the visit."),
        ({"buddy": "self"}, "buddy", "Your buddy must be someone else"),
        ({"buddy": "other_team"}, "buddy", "Choose a buddy from your team."),
        ({"buddy": "inactive"}, "buddy", "Choose a buddy from your team."),
        ({"buddy": None}, "buddy", "Choose a buddy from your team."),
    ],
)
def test_bad_input_is_a_clear_message_and_saves_nothing(personas: Personas, overrides, field, message):
    now = timezone.now()
    values = {
        "blank": "  ",
        "past": now - dt.timedelta(minutes=5),
        "too_late": now + dt.timedelta(hours=13),
        "self": personas.you,
        "other_team": personas.other_caseworker,
        "inactive": UserFactory(team=personas.team, is_active=False),
    }
    overrides = {k: values[v] if isinstance(v, str) else v for k, v in overrides.items()}
    with pytest.raises(ValidationFailed) as raised:
        _start(personas, **overrides)
    assert any(m.startswith(message) for m in raised.value.field_errors[field]), raised.value.field_errors
    _nothing_saved()


def test_only_casework_staff_check_in(personas: Personas):
    with pytest.raises(NotAllowed):
        _start(personas, actor=personas.report_viewer)
    _nothing_saved()


def test_a_client_out_of_reach_is_refused(personas: Personas):
    theirs = personas.client_of(personas.other_caseworker)
    with pytest.raises(ValidationFailed) as raised:
        _start(personas, client=theirs)
    assert "client" in raised.value.field_errors
    _nothing_saved()


def test_the_client_comes_from_the_appointment(personas: Personas):
    mine = personas.client_of(personas.you)
    appointment = AppointmentFactory(staff=personas.you, client=mine, kind=AppointmentKind.HOME_VISIT)
    visit = _start(personas, appointment=appointment)
    assert visit.client == mine and visit.appointment == appointment
    assert AuditEvent.objects.filter(object_id=str(visit.pk), client_id=mine.pk).exists()


def test_one_visit_at_a_time(personas: Personas):
    _start(personas)
    with pytest.raises(ValidationFailed, match="already on a visit"):
        _start(personas)
    assert LoneWorkingVisit.objects.count() == 1
    assert DBTaskResult.objects.count() == 2


def test_only_the_worker_checks_out_extends_or_asks_for_help(personas: Personas):
    visit = _start(personas)
    later = visit.expected_end + dt.timedelta(minutes=30)
    for someone in (personas.teammate, personas.manager):
        with pytest.raises(NotAllowed):
            lone_working_check_out(actor=someone, visit=visit)
        with pytest.raises(NotAllowed):
            lone_working_extend(actor=someone, visit=visit, expected_end=later)
        with pytest.raises(NotAllowed):
            lone_working_help(actor=someone, visit=visit)
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT and visit.version == 1


def test_check_out_twice_is_refused_and_nothing_escalates_after(personas: Personas):
    visit = _start(personas)
    lone_working_check_out(actor=personas.you, visit=visit)
    with pytest.raises(ValidationFailed, match="already checked out"):
        lone_working_check_out(actor=personas.you, visit=visit)
    assert lone_working_escalate(visit_id=visit.pk, now=visit.expected_end + dt.timedelta(hours=2)) == []
    assert AuditEvent.objects.filter(object_id=str(visit.pk), action=AuditAction.UPDATE).count() == 1


def test_extend_needs_a_future_time_and_queues_new_jobs(personas: Personas):
    visit = _start(personas)
    with pytest.raises(ValidationFailed) as raised:
        lone_working_extend(actor=personas.you, visit=visit, expected_end=timezone.now() - dt.timedelta(minutes=1))
    assert raised.value.field_errors == {"expected_end": ["The expected end must be later than now."]}
    assert DBTaskResult.objects.count() == 2
    new_end = visit.expected_end + dt.timedelta(minutes=45)
    lone_working_extend(actor=personas.you, visit=visit, expected_end=new_end)
    visit.refresh_from_db()
    assert visit.expected_end == new_end and visit.version == 2
    assert DBTaskResult.objects.filter(run_after=new_end + dt.timedelta(minutes=15)).exists()


def test_no_extending_after_asking_for_help(personas: Personas):
    visit = _start(personas)
    lone_working_help(actor=personas.you, visit=visit)
    with pytest.raises(ValidationFailed, match="asked for help"):
        lone_working_extend(actor=personas.you, visit=visit, expected_end=visit.expected_end + dt.timedelta(hours=1))
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ESCALATED and visit.help_requested_at is not None


def test_who_may_stand_an_alert_down(personas: Personas):
    visit = _start(personas)
    another_teammate = UserFactory(team=personas.team)
    assert policy.can_stand_down(personas.teammate, visit)
    assert policy.can_stand_down(personas.manager, visit)
    for nobody in (personas.you, another_teammate, personas.other_manager, personas.other_caseworker,
                   personas.report_viewer):
        assert not policy.can_stand_down(nobody, visit)
        with pytest.raises(NotAllowed):
            lone_working_resolve(actor=nobody, visit=visit, note="Rang her, all fine.")
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT


def test_stand_down_needs_a_note_and_happens_once(personas: Personas):
    visit = _start(personas)
    with pytest.raises(ValidationFailed) as raised:
        lone_working_resolve(actor=personas.manager, visit=visit, note=" ok ")
    assert "resolution_note" in raised.value.field_errors
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT
    lone_working_resolve(actor=personas.manager, visit=visit, note="Rang her: safe, on the bus home.")
    with pytest.raises(ValidationFailed, match="already closed"):
        lone_working_resolve(actor=personas.teammate, visit=visit, note="Rang her too: safe.")
    visit.refresh_from_db()
    assert visit.resolved_by == personas.manager and visit.resolution_note == "Rang her: safe, on the bus home."
    assert AuditEvent.objects.filter(object_id=str(visit.pk), actor=personas.manager, detail__resolved=True).exists()


def test_with_no_manager_in_the_team_the_manager_rung_reaches_the_buddy(personas: Personas):
    personas.manager.role = Role.CASEWORKER
    personas.manager.save()
    visit = LoneWorkingVisitFactory(
        staff=personas.you,
        buddy=personas.teammate,
        checked_in_at=timezone.now() - dt.timedelta(hours=2),
        expected_end=timezone.now() - dt.timedelta(minutes=40),
    )
    assert lone_working_escalate(visit_id=visit.pk) == ["buddy", "manager"]
    bodies = list(Notification.objects.filter(recipient=personas.teammate).values_list("body", flat=True))
    assert len(bodies) == 2
    assert sum(ADDRESS in body for body in bodies) == 1  # the manager rung's message, with the address
