"""Tasks: creating, completing and listing them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.casework import services
from keyworker.casework.models import CaseStatus, ClosureReason, Task
from keyworker.casework.selectors import task_get_for, task_list_for
from keyworker.casework.services import task_complete, task_create
from keyworker.core.errors import ConcurrentEdit, NotAllowed, NotFound, ValidationFailed
from keyworker.core.testing import CaseFactory, ClientFactory, TaskFactory


def _counts() -> tuple[int, int]:
    return Task.objects.count(), AuditEvent.objects.count()


def _fresh(task: Task) -> Task:
    return Task.objects.get(pk=task.pk)


TOMORROW = timezone.localdate() + dt.timedelta(days=1)


# --- task_create -----------------------------------------------------------------------------------


def test_create_own_task_without_client(personas):
    task = task_create(actor=personas.you, title="  Renew DBS  ", due_on=TOMORROW, detail="Before Friday")
    stored = _fresh(task)
    assert (stored.title, stored.detail, stored.due_on) == ("Renew DBS", "Before Friday", TOMORROW)
    assert (stored.owner, stored.created_by, stored.client, stored.case) == (personas.you, personas.you, None, None)
    assert stored.completed_at is None
    event = AuditEvent.objects.get(object_id=str(task.pk))
    assert (event.action, event.object_type, event.client_id) == (AuditAction.CREATE, "casework.task", None)


def test_create_task_on_client_goes_against_open_case(personas):
    client = personas.client_of(personas.you)
    task = task_create(actor=personas.you, title="Call the housing officer", due_on=TOMORROW, client=client)
    stored = _fresh(task)
    assert (stored.client, stored.case) == (client, client.cases.get())
    assert AuditEvent.objects.get(object_id=str(task.pk)).client_id == client.pk


def test_task_on_client_with_closed_case_has_no_case(personas):
    client = ClientFactory()
    CaseFactory(
        client=client,
        keyworker=personas.you,
        status=CaseStatus.CLOSED,
        closed_on=timezone.localdate(),
        closure_reason=ClosureReason.GOALS_MET,
    )
    task = task_create(actor=personas.you, title="Send closing letter", due_on=TOMORROW, client=client)
    assert (_fresh(task).client, _fresh(task).case) == (client, None)


@pytest.mark.parametrize(("actor", "owner"), [("you", "teammate"), ("you", "manager"), ("manager", "you")])
def test_assign_within_the_team(personas, actor, owner):
    client = personas.client_of(personas.you)
    task = task_create(
        actor=getattr(personas, actor), owner=getattr(personas, owner), title="Visit", due_on=TOMORROW, client=client
    )
    stored = _fresh(task)
    assert (stored.owner, stored.created_by) == (getattr(personas, owner), getattr(personas, actor))


@pytest.mark.parametrize("with_client", [True, False])
@pytest.mark.parametrize("owner", ["other_caseworker", "other_manager", "report_viewer"])
def test_assigning_outside_the_team_is_refused(personas, owner, with_client):
    client = personas.client_of(personas.you) if with_client else None
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        task_create(actor=personas.you, owner=getattr(personas, owner), title="Visit", due_on=TOMORROW, client=client)
    assert "owner" in raised.value.field_errors
    assert _counts() == before


@pytest.mark.parametrize("title", ["", "   "])
def test_task_needs_a_title(personas, title):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        task_create(actor=personas.you, title=title, due_on=TOMORROW)
    assert "title" in raised.value.field_errors
    assert _counts() == before


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_create_tasks_on_your_client(personas, actor):
    client = personas.client_of(personas.you)
    before = _counts()
    with pytest.raises(NotAllowed):
        task_create(actor=getattr(personas, actor), title="Visit", due_on=TOMORROW, client=client)
    assert _counts() == before


def test_report_viewer_cannot_create_even_own_tasks(personas):
    with pytest.raises(NotAllowed):
        task_create(actor=personas.report_viewer, title="Anything", due_on=TOMORROW)
    assert Task.objects.count() == 0


def test_create_rolls_back_when_audit_fails(personas, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        task_create(actor=personas.you, title="Visit", due_on=TOMORROW, client=personas.client_of(personas.you))
    assert Task.objects.count() == 0


# --- task_complete ---------------------------------------------------------------------------------


@pytest.fixture
def task(personas) -> Task:
    return task_create(actor=personas.you, title="Visit", due_on=TOMORROW, client=personas.client_of(personas.you))


def test_complete_marks_done_bumps_version_and_audits(personas, task):
    before = timezone.now()
    done = task_complete(actor=personas.you, task=task, expected_version=1)
    stored = _fresh(task)
    assert stored.is_done and done.is_done
    assert before <= stored.completed_at <= timezone.now()
    assert (stored.completed_by, stored.version) == (personas.you, 2)
    event = AuditEvent.objects.get(object_id=str(task.pk), action=AuditAction.UPDATE)
    assert event.detail == {"completed": True}


def test_completing_twice_is_refused(personas, task):
    task_complete(actor=personas.you, task=task, expected_version=1)
    first = _fresh(task).completed_at
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        task_complete(actor=personas.you, task=_fresh(task), expected_version=2)
    with pytest.raises(ValidationFailed):
        task_complete(actor=personas.you, task=task, expected_version=2)
    stored = _fresh(task)
    assert (stored.completed_at, stored.version) == (first, 2)
    assert AuditEvent.objects.count() == events


def test_completing_from_a_stale_copy_is_a_concurrent_edit(personas, task):
    stale = _fresh(task)
    task_complete(actor=personas.teammate, task=task, expected_version=1)
    with pytest.raises(ConcurrentEdit):
        task_complete(actor=personas.you, task=stale, expected_version=1)
    stored = _fresh(task)
    assert (stored.completed_by, stored.version) == (personas.teammate, 2)


@pytest.mark.parametrize("actor", ["teammate", "manager"])
def test_team_may_complete_client_tasks(personas, task, actor):
    task_complete(actor=getattr(personas, actor), task=task, expected_version=1)
    assert _fresh(task).completed_by == getattr(personas, actor)


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_complete(personas, task, actor):
    with pytest.raises(NotAllowed):
        task_complete(actor=getattr(personas, actor), task=task, expected_version=1)
    assert (_fresh(task).completed_at, _fresh(task).version) == (None, 1)


def test_only_the_owner_completes_a_task_with_no_client(personas):
    own = task_create(actor=personas.you, title="Renew DBS", due_on=TOMORROW)
    for other in (personas.teammate, personas.manager, personas.other_caseworker):
        with pytest.raises(NotAllowed):
            task_complete(actor=other, task=own, expected_version=1)
    assert _fresh(own).completed_at is None
    task_complete(actor=personas.you, task=own, expected_version=1)
    assert _fresh(own).is_done


def test_complete_rolls_back_when_audit_fails(personas, task, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        task_complete(actor=personas.you, task=task, expected_version=1)
    assert (_fresh(task).completed_at, _fresh(task).version) == (None, 1)


# --- task_list_for / task_get_for ------------------------------------------------------------------


def test_list_hides_done_tasks_unless_asked_and_sorts_by_due_date(personas):
    client = personas.client_of(personas.you)
    today = timezone.localdate()
    later = TaskFactory(owner=personas.you, client=client, title="later", due_on=today + dt.timedelta(days=5))
    sooner = TaskFactory(owner=personas.teammate, client=client, title="sooner", due_on=today)
    done = TaskFactory(
        owner=personas.you,
        client=client,
        title="done",
        due_on=today - dt.timedelta(days=1),
        completed_at=timezone.now(),
        completed_by=personas.you,
    )
    assert list(task_list_for(personas.you)) == [sooner, later]
    assert list(task_list_for(personas.you, include_done=True)) == [done, sooner, later]
    assert task_get_for(personas.you, done.pk) == done


def test_list_filtered_by_client(personas):
    a = personas.client_of(personas.you)
    b = personas.client_of(personas.teammate)
    ta = TaskFactory(owner=personas.you, client=a)
    TaskFactory(owner=personas.teammate, client=b)
    assert list(task_list_for(personas.you, client=a)) == [ta]


def test_other_teams_tasks_are_not_found(personas):
    theirs = TaskFactory(owner=personas.other_caseworker, client=personas.client_of(personas.other_caseworker))
    assert theirs not in list(task_list_for(personas.you, include_done=True))
    with pytest.raises(NotFound):
        task_get_for(personas.you, theirs.pk)
