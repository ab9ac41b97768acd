"""The on-call line's services: the rota, and a crisis call saved with everything it raises or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditEvent
from keyworker.casework.models import CaseStatus, Task
from keyworker.core.errors import NotAllowed, NotFound, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import (
    CaseFactory,
    ClientFactory,
    Inbox,
    OnCallShiftFactory,
    Personas,
    UserFactory,
)
from keyworker.safeguarding.models import CrisisCall, LawfulBasis, OnCallShift, SharingDecision
from keyworker.safeguarding.rules import LONDON
from keyworker.safeguarding.selectors import crisis_call_get_for
from keyworker.safeguarding.services import (
    RISK_REVIEW_TASK_TITLE,
    break_glass_open,
    crisis_call_log,
    follow_up_owner,
    on_call_shift_add,
    on_call_shift_remove,
)

pytestmark = pytest.mark.django_db

SATURDAY_0010 = dt.datetime(2026, 11, 28, 0, 10, tzinfo=LONDON)
MONDAY = dt.date(2026, 11, 30)
REASON = "Crisis call: friends assaulted someone, he was there and feels trapped."


@pytest.fixture(autouse=True)
def _just_after_friday_midnight() -> Iterator[Any]:
    with time_machine.travel(SATURDAY_0010.astimezone(dt.UTC), tick=False) as clock:
        yield clock


def _call(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "received_at": SATURDAY_0010 - dt.timedelta(minutes=5),
        "caller": "the client",
        "what_happened": "His friends have just assaulted someone; he was there, did nothing, and feels trapped.",
        "advice_given": "Go to his aunt's tonight; do not answer the group's calls; talk to his keyworker Monday.",
        "actions_taken": "",
        "shared": False,
        "shared_with": "",
        "lawful_basis": "",
        "sharing_reasons": "He did not take part and no one is at immediate risk; he will decide with his keyworker.",
        "follow_up": "Call him first thing about moving out of the area",
        "follow_up_due": None,
    }
    fields.update(changes)
    return fields


def _counts() -> tuple[int, int, int, int]:
    return (
        CrisisCall.objects.count(),
        SharingDecision.objects.count(),
        Task.objects.count(),
        Notification.objects.count(),
    )


# ------------------------------------------------------------------------------------------------ crisis calls


def test_a_call_raises_the_keyworkers_tasks_and_tells_them(
    personas: Personas, smtp: Inbox, django_capture_on_commit_callbacks: Any
):
    client = personas.client_of(personas.you, first_name="Devon", last_name="Fictional")
    with django_capture_on_commit_callbacks(execute=True):
        call = crisis_call_log(actor=personas.teammate, client=client, **_call())
    assert (call.taken_by, call.break_glass, call.client) == (personas.teammate, False, client)
    decision = call.sharing_decisions.get()
    assert (decision.shared, decision.lawful_basis) == (False, LawfulBasis.NOT_APPLICABLE)
    assert "no one is at immediate risk" in decision.reasons
    tasks = {t.title: t for t in Task.objects.filter(client=client)}
    assert set(tasks) == {"Call him first thing about moving out of the area", RISK_REVIEW_TASK_TITLE}
    for task in tasks.values():
        assert (task.owner, task.created_by, task.due_on) == (personas.you, personas.teammate, MONDAY)
        assert task.case == client.cases.get()
    note = Notification.objects.get(recipient=personas.you)
    assert str(call.pk) in note.link
    assert [m["To"] for m in smtp.messages] == [personas.you.email]
    body = smtp.messages[0].get_payload()
    for private in ("Devon", "Fictional", "assaulted", "aunt"):
        assert private not in body, private
    # audited on the client's trail
    assert AuditEvent.objects.filter(object_id=str(call.pk), client_id=client.pk).exists()
    for task in tasks.values():
        assert AuditEvent.objects.filter(object_id=str(task.pk), client_id=client.pk).exists()


def test_the_tasks_raised_are_found_with_the_call(personas: Personas):
    client = personas.client_of(personas.you)
    call = crisis_call_log(actor=personas.you, client=client, **_call(follow_up_due=dt.date(2026, 12, 2)))
    found = crisis_call_get_for(personas.manager, call.pk)
    assert sorted((t.title, t.due_on) for t in found.tasks_raised) == sorted(
        [("Call him first thing about moving out of the area", dt.date(2026, 12, 2)), (RISK_REVIEW_TASK_TITLE, MONDAY)]
    )


def test_no_risk_review_when_not_needed(personas: Personas):
    client = personas.client_of(personas.you)
    crisis_call_log(actor=personas.you, client=client, **_call(), risk_review_needed=False)
    assert list(Task.objects.values_list("title", flat=True)) == ["Call him first thing about moving out of the area"]
    assert not Notification.objects.exists()  # the keyworker took the call themselves


def test_a_call_on_a_record_opened_by_break_glass(personas: Personas):
    client = personas.client_of(personas.other_caseworker)
    with pytest.raises(NotFound):
        crisis_call_log(actor=personas.on_call, client=client, **_call())
    assert _counts() == (0, 0, 0, 0)
    break_glass_open(actor=personas.on_call, client_id=client.pk, reason=REASON)
    call = crisis_call_log(
        actor=personas.on_call,
        client=client,
        **_call(shared=True, shared_with="Met Police, Croydon CID", lawful_basis=LawfulBasis.CRIME_PREVENTION),
    )
    assert call.break_glass
    assert call.sharing_decisions.get().shared_with == "Met Police, Croydon CID"
    assert set(Task.objects.values_list("owner", flat=True)) == {personas.other_caseworker.pk}
    assert Notification.objects.filter(recipient=personas.other_caseworker).count() == 1
    for obj_id in [call.pk, *Task.objects.values_list("pk", flat=True)]:
        event = AuditEvent.objects.get(object_id=str(obj_id), action="create")
        assert event.break_glass and event.client_id == client.pk


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"caller": "  "}, "caller"),
        ({"what_happened": ""}, "what_happened"),
        ({"advice_given": ""}, "advice_given"),
        ({"follow_up": ""}, "follow_up"),
        ({"follow_up": "x" * 201}, "follow_up"),
        ({"sharing_reasons": "no"}, "sharing_reasons"),
        ({"shared": True, "lawful_basis": LawfulBasis.CONSENT}, "shared_with"),
        ({"shared": True, "shared_with": "Police"}, "lawful_basis"),
        ({"shared": False, "lawful_basis": LawfulBasis.CONSENT}, "lawful_basis"),
        ({"lawful_basis": "because"}, "lawful_basis"),
        ({"received_at": SATURDAY_0010 + dt.timedelta(hours=1)}, "received_at"),
        ({"received_at": SATURDAY_0010 - dt.timedelta(days=8)}, "received_at"),
        ({"follow_up_due": dt.date(2026, 11, 27)}, "follow_up_due"),
    ],
)
def test_bad_input_says_what_is_wrong_and_changes_nothing(personas: Personas, changes: dict[str, Any], field: str):
    client = personas.client_of(personas.you)
    before = _counts()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        crisis_call_log(actor=personas.teammate, client=client, **_call(**changes))
    assert field in exc.value.field_errors, exc.value.field_errors
    assert _counts() == before and AuditEvent.objects.count() == audit_before


def test_a_failure_after_the_call_is_written_leaves_nothing(personas: Personas, monkeypatch: pytest.MonkeyPatch):
    """The tasks are written after the call and its decision: if writing the last one fails (here made to fail:
    the database itself is real), the whole call is undone, with its decision and the first task."""
    from keyworker.safeguarding.services import on_call as module

    client = personas.client_of(personas.you)
    real = module.create_checked
    made: list[Any] = []

    def failing_on_the_risk_review(model: Any, **fields: Any) -> Any:
        if fields.get("title") == RISK_REVIEW_TASK_TITLE:
            raise ValidationFailed("The risk review task could not be saved.")
        made.append(real(model, **fields))
        return made[-1]

    monkeypatch.setattr(module, "create_checked", failing_on_the_risk_review)
    with pytest.raises(ValidationFailed):
        crisis_call_log(actor=personas.teammate, client=client, **_call())
    assert len(made) == 2  # the call and the follow-up task were written, then rolled back
    assert _counts() == (0, 0, 0, 0)


def test_who_gets_the_tasks(personas: Personas):
    assert follow_up_owner(personas.client_of(personas.teammate), personas.on_call) == personas.teammate
    unallocated = ClientFactory()
    CaseFactory(client=unallocated, keyworker=None, team=personas.team)
    assert follow_up_owner(unallocated, personas.on_call) == personas.manager
    closed = ClientFactory()
    CaseFactory(
        client=closed,
        keyworker=personas.you,
        team=personas.team,
        status=CaseStatus.CLOSED,
        closed_on=dt.date(2026, 1, 5),
    )
    assert follow_up_owner(closed, personas.on_call) == personas.on_call  # no open case: the worker keeps them
    personas.manager.is_active = False
    personas.manager.save()
    assert follow_up_owner(unallocated, personas.on_call) == personas.on_call


def test_staff_who_cannot_see_the_client_find_nothing(personas: Personas):
    client = personas.client_of(personas.you)
    for outsider in (
        personas.other_caseworker,
        personas.other_manager,
        personas.report_viewer,
        personas.safeguarding_lead,
        personas.on_call,
    ):
        with pytest.raises(NotFound):
            crisis_call_log(actor=outsider, client=client, **_call())
    assert _counts() == (0, 0, 0, 0)


# --------------------------------------------------------------------------------------------------- the rota


def _evening(days: int = 0) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(dt.date(2026, 11, 28) + dt.timedelta(days=days), dt.time(17, 30), tzinfo=LONDON)
    return start, start + dt.timedelta(hours=15, minutes=30)


def test_a_manager_adds_and_removes_shifts(personas: Personas):
    starts_at, ends_at = _evening()
    shift = on_call_shift_add(actor=personas.manager, worker=personas.on_call, starts_at=starts_at, ends_at=ends_at)
    assert (shift.worker, shift.added_by) == (personas.on_call, personas.manager)
    shift_id = str(shift.pk)
    on_call_shift_remove(actor=personas.manager, shift=shift)
    assert not OnCallShift.objects.exists()
    assert AuditEvent.objects.filter(object_id=shift_id).count() == 2  # added, then removed: both on the record


def test_only_managers_change_the_rota(personas: Personas):
    starts_at, ends_at = _evening()
    for someone in (personas.you, personas.on_call, personas.safeguarding_lead, personas.report_viewer):
        with pytest.raises(NotAllowed):
            on_call_shift_add(actor=someone, worker=personas.on_call, starts_at=starts_at, ends_at=ends_at)
    shift = OnCallShiftFactory(worker=personas.on_call, starts_at=starts_at, ends_at=ends_at)
    with pytest.raises(NotAllowed):
        on_call_shift_remove(actor=personas.you, shift=shift)
    assert OnCallShift.objects.count() == 1


def test_shift_problems_change_nothing(personas: Personas):
    starts_at, ends_at = _evening()
    on_call_shift_add(actor=personas.manager, worker=personas.on_call, starts_at=starts_at, ends_at=ends_at)
    cases = [
        ({"worker": personas.report_viewer}, "worker"),
        ({"worker": UserFactory(role=Role.ON_CALL, team=None, is_active=False)}, "worker"),
        ({"starts_at": starts_at + dt.timedelta(hours=2)}, "starts_at"),  # overlaps the first
        ({"ends_at": starts_at}, "ends_at"),
        (
            {"starts_at": SATURDAY_0010 - dt.timedelta(hours=3), "ends_at": SATURDAY_0010 - dt.timedelta(hours=1)},
            "ends_at",
        ),
    ]
    for changes, field in cases:
        args = {"worker": personas.on_call, "starts_at": starts_at, "ends_at": ends_at, **changes}
        with pytest.raises(ValidationFailed) as exc:
            on_call_shift_add(actor=personas.manager, **args)
        assert field in exc.value.field_errors, (changes, exc.value.field_errors)
    assert OnCallShift.objects.count() == 1
    # back to back is not an overlap
    on_call_shift_add(actor=personas.manager, worker=personas.on_call, starts_at=ends_at, ends_at=_evening(1)[0])
    assert OnCallShift.objects.count() == 2


def test_an_ended_shift_stays_on_the_record(personas: Personas):
    shift = OnCallShiftFactory(
        worker=personas.on_call,
        starts_at=SATURDAY_0010 - dt.timedelta(hours=10),
        ends_at=SATURDAY_0010 - dt.timedelta(hours=1),
    )
    with pytest.raises(ValidationFailed):
        on_call_shift_remove(actor=personas.manager, shift=shift)
    assert OnCallShift.objects.filter(pk=shift.pk).exists()
