"""Reminder e-mails through a real SMTP server, with the clock moved: who gets what, in what order, with a case
reference and never a name; and a second run the same day sends nothing.

These tests commit (transactional database): the worker (`run_tasks()`) runs each job in its own
transactions, as in production, which a test wrapped in one transaction cannot do on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import socket
import zoneinfo
from email.message import Message

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from keyworker.casework.models import CaseStatus
from keyworker.core.models import Notification
from keyworker.core.testing import (
    AppointmentFactory,
    CaseFactory,
    ClientFactory,
    CustodyEpisodeFactory,
    EstablishmentFactory,
    HearingFactory,
    Inbox,
    Personas,
    TaskFactory,
    run_tasks,
)
from keyworker.custody.models import EstablishmentKind, HearingKind
from keyworker.diary.models import AppointmentKind, AppointmentStatus, ReminderKind, ReminderSent
from keyworker.diary.reminders import reminders_send
from keyworker.diary.tasks.reminders import reminders_retry_task, reminders_send_task
from keyworker.people.models import Client
from keyworker.safeguarding.models import AccessRule, AccessRuleKind

pytestmark = pytest.mark.django_db(transaction=True)

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday in British Summer Time; the sweep runs at 07:00 London time (06:00 UTC).
TODAY = dt.date(2026, 6, 10)
SEVEN_AM = dt.datetime(2026, 6, 10, 7, 0, tzinfo=LONDON)


def _text(message: Message) -> str:
    return message.as_string()


def _body(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode()


def _assert_no_names(message: Message, people: list[Client]) -> None:
    text = _text(message) + _body(message)
    for person in people:
        for name in (person.first_name, person.last_name, person.preferred_name):
            if name:
                assert name.lower() not in text.lower(), (name, message["Subject"])


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@pytest.fixture
def week(personas: Personas) -> dict:
    """The day's world: clients of "you" with a release tomorrow and in 7 days, two hearings tomorrow (one of a
    client restricted away from you), overdue and finished tasks, and records that must send nothing."""
    you, teammate = personas.you, personas.teammate
    prison = EstablishmentFactory(name="HMP Reminder Test")
    court = EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Reminder Test Crown Court")
    # Names as they would be in real life, and unmistakable in an e-mail.
    gate = personas.client_of(you, first_name="Winston", last_name="Adeyemi-Grant", preferred_name="Winnie")
    week_out = personas.client_of(you, first_name="Kayleigh", last_name="Donoghue")
    hearing_client = personas.client_of(you, first_name="Jermaine", last_name="Okafor")
    restricted = personas.client_of(you, first_name="Devonte", last_name="Harcourt-Blake")
    released = personas.client_of(you, first_name="Precious", last_name="Mbeki-Watts")
    on_hold = personas.client_of(teammate, first_name="Rashid", last_name="Vandermeer")
    on_hold.cases.update(status=CaseStatus.ON_HOLD)
    people = [gate, week_out, hearing_client, restricted, released, on_hold]

    with time_machine.travel(SEVEN_AM - dt.timedelta(days=1), tick=False):
        release_tomorrow = CustodyEpisodeFactory(client=gate, establishment=prison,
                                                 release_on=TODAY + dt.timedelta(days=1))
        release_in_7 = CustodyEpisodeFactory(client=week_out, establishment=prison,
                                             release_on=TODAY + dt.timedelta(days=7))
        CustodyEpisodeFactory(client=on_hold, establishment=prison, release_on=TODAY + dt.timedelta(days=7))
        CustodyEpisodeFactory(client=released, establishment=prison, release_on=TODAY + dt.timedelta(days=1),
                              released_on=TODAY - dt.timedelta(days=3))  # out early: nothing to remind
        CustodyEpisodeFactory(client=restricted, establishment=prison, release_on=TODAY + dt.timedelta(days=1))
        hearing = HearingFactory(client=hearing_client, court=court, starts_at=_at(TODAY + dt.timedelta(days=1), 10),
                                 kind=HearingKind.SENTENCING, description="Sentencing for robbery")
        # The teammate is going to court with him: they are told too.
        AppointmentFactory(staff=teammate, client=hearing_client, kind=AppointmentKind.COURT, hearing=hearing,
                           establishment=court, starts_at=hearing.starts_at,
                           ends_at=hearing.starts_at + dt.timedelta(hours=2))
        # A court appointment someone cancelled: they are not told.
        AppointmentFactory(staff=personas.manager, client=hearing_client, kind=AppointmentKind.COURT,
                           hearing=hearing, status=AppointmentStatus.CANCELLED, starts_at=hearing.starts_at,
                           ends_at=hearing.starts_at + dt.timedelta(hours=2))
        restricted_hearing = HearingFactory(client=restricted, court=court,
                                            starts_at=_at(TODAY + dt.timedelta(days=1), 14))
        AppointmentFactory(staff=teammate, client=restricted, kind=AppointmentKind.COURT,
                           hearing=restricted_hearing, establishment=court, starts_at=restricted_hearing.starts_at,
                           ends_at=restricted_hearing.starts_at + dt.timedelta(hours=1))
        # Restricted to the teammate and the manager: the keyworker ("you") no longer sees him, so hears nothing.
        rule = AccessRule.objects.create(client=restricted, kind=AccessRuleKind.RESTRICTION, reason="High profile",
                                         starts_at=timezone.now(), set_by=personas.manager)
        rule.staff.set([teammate, personas.manager])
        HearingFactory(client=hearing_client, court=court, starts_at=_at(TODAY + dt.timedelta(days=2), 10))
        HearingFactory(client=hearing_client, court=court, starts_at=_at(TODAY, 10))  # today: too late
        overdue = [
            TaskFactory(owner=you, client=gate, case=gate.cases.get(), title="Ring Winston about his first night",
                        due_on=TODAY - dt.timedelta(days=3)),
            TaskFactory(owner=you, title="Order bus passes", due_on=TODAY - dt.timedelta(days=1)),
        ]
        TaskFactory(owner=you, title="Already done", due_on=TODAY - dt.timedelta(days=2),
                    completed_at=timezone.now(), completed_by=you)
        TaskFactory(owner=you, title="Due today", due_on=TODAY)
        TaskFactory(owner=you, client=restricted, title="Book Devonte's visit", due_on=TODAY - dt.timedelta(days=5))
    return {
        "people": people,
        "release_tomorrow": release_tomorrow,
        "release_in_7": release_in_7,
        "hearing": hearing,
        "restricted_hearing": restricted_hearing,
        "overdue": overdue,
        "refs": {person.pk: person.cases.first().reference for person in people},
        "gate": gate,
        "week_out": week_out,
        "hearing_client": hearing_client,
        "restricted": restricted,
    }


def test_the_mornings_reminders(personas: Personas, smtp: Inbox, week: dict):
    you, teammate = personas.you, personas.teammate
    refs = week["refs"]
    with time_machine.travel(SEVEN_AM, tick=False):
        call_command("reminders")  # what cron runs at 07:00: queue the sweep
        run_tasks()
    assert [(m["To"], m["Subject"]) for m in smtp.messages] == [
        (you.email, f"Release tomorrow: {refs[week['gate'].pk]}"),
        (teammate.email, f"Court hearing tomorrow: {refs[week['hearing_client'].pk]}"),
        (you.email, f"Court hearing tomorrow: {refs[week['hearing_client'].pk]}"),
        (teammate.email, f"Court hearing tomorrow: {refs[week['restricted'].pk]}"),
        (you.email, f"Release in 7 days: {refs[week['week_out'].pk]}"),
        (teammate.email, f"Release in 7 days: {refs[week['people'][5].pk]}"),  # an on-hold case still counts
        (you.email, "You have 2 overdue tasks"),
    ]
    for message in smtp.messages:
        _assert_no_names(message, week["people"])
        assert "Sign in to Keyworker to see it: /" in _body(message)
    release, _, hearing, _, in_7, _, digest = (_body(m) for m in smtp.messages)
    assert "release from HMP Reminder Test is due tomorrow, on Thursday 11 June 2026" in release
    assert f"/clients/{week['gate'].pk}/" in release
    assert "sentencing hearing at Reminder Test Crown Court tomorrow, Thursday 11 June 2026, at 10:00" in hearing
    assert "due in 7 days, on Wednesday 17 June 2026" in in_7
    assert f"- a task for {refs[week['gate'].pk]}, due 7 June" in digest
    assert "- a task of your own, due 9 June" in digest
    assert digest.count("- a task") == 2  # not the done one, not today's, not the restricted client's
    for title in ("first night", "bus passes", "Already done", "Due today", "visit"):
        assert title not in digest  # titles stay behind the sign-in
    # Each reminder is also a notification in the app, with the same words.
    assert Notification.objects.filter(recipient=you).count() == 4
    assert Notification.objects.filter(recipient=teammate).count() == 3
    assert not Notification.objects.filter(recipient=personas.manager).exists()
    assert ReminderSent.objects.filter(kind=ReminderKind.TASK_OVERDUE, recipient=you).count() == 2
    assert set(DBTaskResult.objects.values_list("status", flat=True)) <= {
        TaskResultStatus.SUCCESSFUL, TaskResultStatus.READY
    }

    # Again the same morning, by cron, by hand, or by a worker that ran twice: nothing more.
    with time_machine.travel(SEVEN_AM + dt.timedelta(minutes=20), tick=False):
        call_command("reminders")
        run_tasks()
        call_command("reminders", "--now")
    assert len(smtp.messages) == 7
    assert Notification.objects.count() == 7


def test_the_job_keeps_itself_going_each_morning(personas: Personas, smtp: Inbox, week: dict):
    with time_machine.travel(SEVEN_AM, tick=False):
        call_command("reminders")
        call_command("reminders")  # queued twice by mistake: still one chain
        run_tasks()
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=reminders_send_task.module_path)
    assert [r.run_after for r in queued] == [dt.datetime(2026, 6, 11, 6, 0, tzinfo=dt.UTC)]  # 07:00 BST
    first_day = len(smtp.messages)

    # The next morning the worker runs the queued job by itself: the releases have moved on (the 7-day one is
    # now 6 days off), Friday's hearing is now tomorrow, the overdue digest comes again (with yesterday's "due
    # today" task in it now), and the day after is queued.
    with time_machine.travel(SEVEN_AM + dt.timedelta(days=1), tick=False):
        run_tasks()
    next_day = smtp.messages[first_day:]
    reference = week["refs"][week["hearing_client"].pk]
    assert [(m["To"], m["Subject"]) for m in next_day] == [
        (personas.you.email, f"Court hearing tomorrow: {reference}"),
        (personas.you.email, "You have 3 overdue tasks"),
    ]
    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=reminders_send_task.module_path)
    assert [r.run_after for r in queued] == [dt.datetime(2026, 6, 12, 6, 0, tzinfo=dt.UTC)]


def test_a_finished_task_or_a_release_that_happened_sends_nothing(personas: Personas, smtp: Inbox):
    person = personas.client_of(personas.you)
    CustodyEpisodeFactory(client=person, release_on=TODAY + dt.timedelta(days=1), released_on=TODAY,
                          received_on=TODAY - dt.timedelta(days=100))
    TaskFactory(owner=personas.you, client=person, due_on=TODAY - dt.timedelta(days=4),
                completed_at=_at(TODAY, 6), completed_by=personas.you)
    closed = ClientFactory()
    CaseFactory(client=closed, keyworker=personas.you, team=personas.team, status=CaseStatus.CLOSED,
                closed_on=TODAY)
    CustodyEpisodeFactory(client=closed, release_on=TODAY + dt.timedelta(days=7),
                          received_on=TODAY - dt.timedelta(days=100))  # a closed case: no keyworker to tell
    run = reminders_send(today=TODAY)
    assert run.sent == [] and smtp.messages == []
    assert not ReminderSent.objects.exists()


def test_a_hearing_with_its_outcome_or_a_disabled_keyworker_sends_nothing(personas: Personas, smtp: Inbox):
    person = personas.client_of(personas.you)
    HearingFactory(client=person, starts_at=_at(TODAY + dt.timedelta(days=1), 10), outcome="adjourned",
                   outcome_recorded_at=_at(TODAY, 6))
    other = personas.client_of(personas.teammate)
    HearingFactory(client=other, starts_at=_at(TODAY + dt.timedelta(days=1), 11))
    personas.teammate.is_active = False
    personas.teammate.save()
    assert reminders_send(today=TODAY).sent == []
    assert smtp.messages == []


def test_run_now_prints_what_it_did(personas: Personas, smtp: Inbox, capsys):
    TaskFactory(owner=personas.you, title="Send the referral", due_on=TODAY - dt.timedelta(days=1))
    with time_machine.travel(SEVEN_AM, tick=False):
        call_command("reminders", "--now")
        call_command("reminders", "--now", "--date", TODAY.isoformat())
    out = capsys.readouterr().out
    assert "Reminders for 2026-06-10: 1 sent, 0 already sent, 0 failed." in out
    assert "Reminders for 2026-06-10: 0 sent, 0 already sent, 0 failed." in out
    assert [m["Subject"] for m in smtp.messages] == ["You have 1 overdue task"]
    assert not DBTaskResult.objects.exists()  # --now queues nothing


def test_a_bad_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date must be a date"):
        call_command("reminders", "--date", "tomorrow")
    assert not DBTaskResult.objects.exists()


def test_when_the_mail_server_is_down_nothing_is_marked_sent_and_a_retry_is_queued(
    personas: Personas, settings, smtp: Inbox
):
    TaskFactory(owner=personas.you, title="Send the referral", due_on=TODAY - dt.timedelta(days=1))
    smtp_port = settings.EMAIL_PORT
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]
    with time_machine.travel(SEVEN_AM, tick=False):
        call_command("reminders")
        run_tasks()
    assert not ReminderSent.objects.exists() and not Notification.objects.exists()
    retry = DBTaskResult.objects.get(task_path=reminders_retry_task.module_path)
    assert retry.run_after == SEVEN_AM + dt.timedelta(minutes=15)
    assert retry.args_kwargs["kwargs"] == {"today": "2026-06-10", "attempt": 1}

    settings.EMAIL_PORT = smtp_port  # the server is back: the retry sends what did not go
    with time_machine.travel(SEVEN_AM + dt.timedelta(minutes=16), tick=False):
        run_tasks()
    assert [m["Subject"] for m in smtp.messages] == ["You have 1 overdue task"]
    assert ReminderSent.objects.count() == 1
    assert DBTaskResult.objects.get(pk=retry.pk).status == TaskResultStatus.SUCCESSFUL


def test_a_reminder_is_audited_as_sent_to_whom(personas: Personas, smtp: Inbox):
    from keyworker.audit.models import AuditAction, AuditEvent

    person = personas.client_of(personas.you)
    episode = CustodyEpisodeFactory(client=person, release_on=TODAY + dt.timedelta(days=7),
                                    received_on=TODAY - dt.timedelta(days=100))
    reminders_send(today=TODAY)
    (event,) = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="diary.remindersent")
    assert event.client_id == person.pk and event.actor is None
    assert event.detail == {"what": "reminder_email", "kind": "release_7", "recipient": str(personas.you.pk)}
    assert ReminderSent.objects.get().object_id == episode.pk


def test_links_in_e_mails_are_absolute_with_the_site_address(personas: Personas, smtp: Inbox, settings):
    settings.KEYWORKER_SITE_URL = "https://keyworker.example.org"
    TaskFactory(owner=personas.you, title="Send the referral", due_on=TODAY - dt.timedelta(days=1))
    with time_machine.travel(SEVEN_AM, tick=False):
        call_command("reminders", "--now")
    (message,) = smtp.messages
    assert "Sign in to Keyworker to see it: https://keyworker.example.org/week/" in _body(message)
