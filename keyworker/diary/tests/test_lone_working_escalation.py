"""A missed check-out escalates with the clock moved: the jobs run as `keyworker db_worker` would, the e-mails
go through a real SMTP server on loopback, and what arrived (and in which order) is checked.

These tests commit (transactional database), so e-mails are sent after commit exactly as in production."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from keyworker.core.models import Notification
from keyworker.core.testing import Inbox, Personas, run_tasks
from keyworker.diary.models import EscalationLevel, LoneWorkingEscalation, LoneWorkingStatus, LoneWorkingVisit
from keyworker.diary.services.lone_working import (
    lone_working_check_out,
    lone_working_extend,
    lone_working_help,
    lone_working_resolve,
    lone_working_start,
)
from keyworker.diary.tasks.lone_working import lone_working_sweep_job
from keyworker.safeguarding.models import AccessRule, AccessRuleKind, AreaConcern, AreaConcernSource

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = ZoneInfo("Europe/London")
CHECK_IN = dt.datetime(2026, 11, 25, 14, 0, tzinfo=LONDON)  # Wednesday, 2pm
EXPECTED_END = CHECK_IN + dt.timedelta(hours=1)
ADDRESS = "Flat 3, 12 Example Road, London SE5 0AA"


def _at(minutes_after_end: int) -> time_machine.travel:
    return time_machine.travel(EXPECTED_END + dt.timedelta(minutes=minutes_after_end), tick=False)


def _text(message) -> str:
    return message.get_payload(decode=True).decode()


def _recipients(message) -> set[str]:
    return {address.strip() for address in message["To"].split(",")}


def _all_jobs_succeeded() -> None:
    assert not DBTaskResult.objects.failed().exists(), list(DBTaskResult.objects.failed().values("traceback"))


def _start(personas: Personas, **fields) -> LoneWorkingVisit:
    client = personas.client_of(
        personas.you,
        first_name="Dee",
        last_name="Fictional",
        home_area="Lambeth",
        safe_contact_note="Text only; her brother answers the door.",
    )
    with time_machine.travel(CHECK_IN, tick=False):
        return lone_working_start(
            actor=personas.you,
            place=ADDRESS,
            with_whom="Dee and her boyfriend",
            expected_end=EXPECTED_END,
            buddy=personas.teammate,
            client=client,
            **fields,
        )


def test_missed_check_out_alerts_the_buddy_then_the_manager_once_each(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    AreaConcern.objects.create(
        area="Lambeth",
        summary="A new group is forming around the estate.",
        source=AreaConcernSource.STAFF,
        reported_on=dt.date(2026, 11, 20),
        reported_by=personas.manager,
        review_by=dt.date(2026, 12, 20),
        expires_on=dt.date(2027, 2, 20),
    )
    AccessRule.objects.create(
        client=visit.client,
        kind=AccessRuleKind.RESTRICTION,
        reason="Named staff only.",
        message="Do not discuss her case with her boyfriend.",
        starts_at=CHECK_IN - dt.timedelta(days=1),
        set_by=personas.manager,
    ).staff.set([personas.you, personas.manager])

    with _at(14):
        run_tasks()
    assert smtp.messages == []  # not yet due: the first job waits for 15 minutes past the end

    with _at(16):
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}]
    to_buddy = _text(smtp.messages[0])
    assert "Jo Caseworker" in to_buddy and "15:00" in to_buddy
    assert ADDRESS not in to_buddy  # the first rung: the buddy rings them; the address is on the page
    assert Notification.objects.filter(recipient=personas.teammate, link__contains=str(visit.pk)).count() == 1
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ESCALATED

    with _at(31):
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}, {personas.manager.email}]
    to_manager = _text(smtp.messages[1])
    assert ADDRESS in to_manager
    assert "Dee and her boyfriend" in to_manager
    assert "Safe-contact notes: Text only; her brother answers the door." in to_manager
    assert "Record restricted: Do not discuss her case with her boyfriend." in to_manager
    assert "Area concern: Lambeth: A new group is forming around the estate." in to_manager
    assert "31 minutes overdue" in smtp.messages[1]["Subject"]
    assert personas.other_manager.email not in smtp.messages[1]["To"]

    with _at(45):
        run_tasks()
        call_command("lone_working_sweep")
    assert len(smtp.messages) == 2  # idempotent: nothing raised or sent twice
    assert list(LoneWorkingEscalation.objects.filter(visit=visit).values_list("level", flat=True)) == [
        EscalationLevel.BUDDY,
        EscalationLevel.MANAGER,
    ]
    _all_jobs_succeeded()


def test_checking_out_in_time_means_no_e_mail_ever(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    with _at(10):
        lone_working_check_out(actor=personas.you, visit=visit)
    with _at(60):
        run_tasks()
        call_command("lone_working_sweep")
    assert smtp.messages == []
    assert not LoneWorkingEscalation.objects.exists()
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.CHECKED_OUT
    assert DBTaskResult.objects.successful().count() == 2  # both jobs ran and found nothing to do
    _all_jobs_succeeded()


def test_checking_out_after_the_buddy_was_alerted_tells_them_you_are_safe(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    with _at(20):
        run_tasks()
        lone_working_check_out(actor=personas.you, visit=visit)
    with _at(40):
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}, {personas.teammate.email}]
    assert "is safe" in smtp.messages[1]["Subject"]
    assert not LoneWorkingEscalation.objects.filter(level=EscalationLevel.MANAGER).exists()
    _all_jobs_succeeded()


def test_the_buddy_standing_it_down_stops_the_manager_alert(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    with _at(20):
        run_tasks()
        lone_working_resolve(actor=personas.teammate, visit=visit, note="Rang her: safe, phone battery died.")
    with _at(40):
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}]
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.RESOLVED and visit.resolved_by == personas.teammate
    assert Notification.objects.filter(recipient=personas.you, subject__contains="stood down").exists()
    _all_jobs_succeeded()


def test_help_alerts_buddy_and_manager_at_once_and_only_once(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    with time_machine.travel(CHECK_IN + dt.timedelta(minutes=20), tick=False):
        lone_working_help(actor=personas.you, visit=visit)
        lone_working_help(actor=personas.you, visit=visit)  # pressed twice in a panic
    assert len(smtp.messages) == 1
    assert _recipients(smtp.messages[0]) == {personas.teammate.email, personas.manager.email}
    text = _text(smtp.messages[0])
    assert ADDRESS in text and "Dee and her boyfriend" in text and "14:20" in text
    assert "Safe-contact notes" in text
    assert "URGENT" in smtp.messages[0]["Subject"]
    assert set(LoneWorkingEscalation.objects.values_list("level", flat=True)) == set(EscalationLevel.values)

    with _at(45):
        run_tasks()  # the overdue jobs find every rung raised already
    assert len(smtp.messages) == 1
    _all_jobs_succeeded()


def test_extending_moves_the_ladder(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    with _at(-10):
        lone_working_extend(actor=personas.you, visit=visit, expected_end=EXPECTED_END + dt.timedelta(minutes=30))
    with _at(16):
        run_tasks()  # the first check-in's jobs: not overdue any more
    assert smtp.messages == []
    with _at(46):
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}]
    _all_jobs_succeeded()


def test_the_sweep_catches_a_visit_whose_job_was_lost(personas: Personas, smtp: Inbox):
    visit = _start(personas)
    DBTaskResult.objects.all().delete()  # the jobs are lost
    with _at(31):
        run_tasks()
        assert smtp.messages == []
        lone_working_sweep_job.enqueue()
        run_tasks()
    assert [_recipients(m) for m in smtp.messages] == [{personas.teammate.email}, {personas.manager.email}]
    assert ADDRESS in _text(smtp.messages[1])
    assert LoneWorkingEscalation.objects.filter(visit=visit).count() == 2
    with _at(40):
        call_command("lone_working_sweep")
    assert len(smtp.messages) == 2
    _all_jobs_succeeded()
