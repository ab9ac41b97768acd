"""Reminder e-mails: the dates a caseworker must not miss, sent the day before (and a week before a release).

`reminders_send(today=)` is one sweep, run every morning by a background job (diary/tasks/reminders.py,
docs/decisions/0021-background-jobs.md):

- a release tomorrow, then each court hearing tomorrow, then a release in 7 days, each to the people who
  need it: the client's keyworker(s) on a live (open or on-hold) case, and for a hearing also anyone with a
  court appointment linked to it;
- then one digest per person of their overdue tasks (due before today, not done).

Each reminder goes only to someone who can still see the client today (core/policy.py): a restriction that
does not name the keyworker stops their reminders too. An e-mail says what, the case reference, when and
where, and links to the page; never a client's name, nor a task's title (free text that may name anyone).

A sweep is safe to repeat: each reminder is recorded in `ReminderSent` (unique per kind, record, recipient
and day) in the same transaction that sends it, so a second run the same day, or two runs at once, send
nothing twice. The e-mail is sent inside that transaction, not after it: if the mail server refuses, the
record rolls back and the next run tries again (a reminder sent twice is better than one never sent).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.casework.models import Case, Task
from keyworker.casework.selectors import task_list_for
from keyworker.core import policy
from keyworker.core.notifications import email_link_line, notify
from keyworker.custody.models import CustodyEpisode, Hearing
from keyworker.diary.models import Appointment, AppointmentKind, ReminderKind, ReminderSent
from keyworker.diary.selectors.calendar_feeds import LIVE_CASE_STATUSES, NOT_HAPPENING, case_references_for

logger = logging.getLogger("keyworker.reminders")

LONDON = ZoneInfo("Europe/London")
# When the daily sweep runs, London time: before the working day, after the night's changes.
RUN_AT = dt.time(7, 0)
NO_CASE_REFERENCE = "no case reference"


# --- when the sweep runs (pure) ------------------------------------------------------------------------------


def next_run_after(now: dt.datetime) -> dt.datetime:
    """The first 07:00 London time strictly after `now` (an aware datetime), in UTC. Built from the London
    calendar date, not by adding 24 hours, so it stays at 07:00 across the clock changes (07:00 is never in
    the hour the clocks skip or repeat, which is 01:00-02:00)."""
    local = now.astimezone(LONDON)
    candidate = dt.datetime.combine(local.date(), RUN_AT, tzinfo=LONDON)
    if candidate <= now:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), RUN_AT, tzinfo=LONDON)
    return candidate.astimezone(dt.UTC)


# --- what is due ---------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    """One e-mail (and in-app notification) to one person, and the records it reminds them of."""

    kind: ReminderKind
    recipient: User
    subject: str
    body: str
    link: str
    # (the record's id, its client's id) for each ReminderSent row this reminder makes.
    about: list[tuple[uuid.UUID, uuid.UUID | None]]


@dataclass
class ReminderRun:
    today: dt.date
    sent: list[Reminder] = field(default_factory=list)
    already_sent: int = 0
    failed: int = 0

    def summary(self) -> dict[str, object]:
        return {
            "today": self.today.isoformat(),
            "sent": len(self.sent),
            "already_sent": self.already_sent,
            "failed": self.failed,
        }


def _long_date(day: dt.date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def _keyworkers_of(client_id: uuid.UUID) -> list[User]:
    ids = Case.objects.filter(
        client_id=client_id, status__in=LIVE_CASE_STATUSES, keyworker__isnull=False
    ).values_list("keyworker_id", flat=True)
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _may_see(user: User, client_id: uuid.UUID) -> bool:
    return policy.clients_visible_to(user).filter(pk=client_id).exists()


def _reference(user: User, client_id: uuid.UUID) -> str:
    return case_references_for(user, [client_id]).get(client_id, NO_CASE_REFERENCE)


def _recipients(people: Iterable[User], client_id: uuid.UUID) -> list[User]:
    unique = {person.pk: person for person in people if person.is_active and person.email}
    return sorted((p for p in unique.values() if _may_see(p, client_id)), key=lambda p: p.email)


def _release_reminders(today: dt.date, days: int) -> list[Reminder]:
    kind = ReminderKind.RELEASE_TOMORROW if days == 1 else ReminderKind.RELEASE_IN_7_DAYS
    day = today + dt.timedelta(days=days)
    when = "tomorrow" if days == 1 else f"in {days} days"
    episodes = CustodyEpisode.objects.filter(released_on__isnull=True, release_on=day).select_related("establishment")
    found: list[tuple[str, str, Reminder]] = []
    for episode in episodes:
        for person in _recipients(_keyworkers_of(episode.client_id), episode.client_id):
            reference = _reference(person, episode.client_id)
            found.append(
                (
                    reference,
                    person.email,
                    Reminder(
                        kind=kind,
                        recipient=person,
                        subject=f"Release {when}: {reference}",
                        body=(
                            f"Case {reference}: release from {episode.establishment.name} is due {when}, "
                            f"on {_long_date(day)}. Check what is still open on the through-the-gate plan."
                        ),
                        link=reverse("people:client_detail", args=[episode.client_id]),
                        about=[(episode.pk, episode.client_id)],
                    ),
                )
            )
    return [reminder for _, _, reminder in sorted(found, key=lambda item: item[:2])]


def _hearing_reminders(today: dt.date) -> list[Reminder]:
    tomorrow = today + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time.min, tzinfo=LONDON)
    end = dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time.min, tzinfo=LONDON)
    hearings = (
        Hearing.objects.filter(starts_at__gte=start, starts_at__lt=end, outcome="")
        .select_related("court")
        .order_by("starts_at", "pk")
    )
    reminders: list[Reminder] = []
    for hearing in hearings:
        attending = User.objects.filter(
            pk__in=Appointment.objects.filter(hearing=hearing, kind=AppointmentKind.COURT)
            .exclude(status__in=NOT_HAPPENING)
            .values("staff_id")
        )
        people = [*_keyworkers_of(hearing.client_id), *attending]
        at = timezone.localtime(hearing.starts_at, LONDON)
        for person in _recipients(people, hearing.client_id):
            reference = _reference(person, hearing.client_id)
            reminders.append(
                Reminder(
                    kind=ReminderKind.HEARING_TOMORROW,
                    recipient=person,
                    subject=f"Court hearing tomorrow: {reference}",
                    body=(
                        f"Case {reference}: {hearing.get_kind_display().lower()} hearing at {hearing.court.name} "
                        f"tomorrow, {_long_date(tomorrow)}, at {at:%H:%M}."
                    ),
                    link=reverse("people:client_detail", args=[hearing.client_id]),
                    about=[(hearing.pk, hearing.client_id)],
                )
            )
    return reminders


def _overdue_task_reminders(today: dt.date, already: set[tuple[str, uuid.UUID, uuid.UUID]]) -> list[Reminder]:
    owner_ids = (
        Task.objects.filter(completed_at__isnull=True, due_on__lt=today, owner__is_active=True)
        .values_list("owner_id", flat=True)
        .distinct()
    )
    owners = sorted(User.objects.filter(pk__in=list(owner_ids)).exclude(email=""), key=lambda u: u.email)
    reminders: list[Reminder] = []
    for owner in owners:
        # Through the owner's own reach: a task about a client since hidden from them is not mentioned.
        tasks = [
            task
            for task in task_list_for(owner, narrow=Q(owner_id=owner.pk, due_on__lt=today)).select_related("case")
            if (ReminderKind.TASK_OVERDUE, task.pk, owner.pk) not in already
        ]
        if not tasks:
            continue
        references = case_references_for(owner, [t.client_id for t in tasks if t.client_id])
        lines = []
        for task in tasks:
            reference = task.case.reference if task.case is not None else references.get(task.client_id)  # type: ignore[arg-type]
            # No titles: a title is free text and may name anyone (a partner, a victim); the e-mail leaves
            # Keyworker, so it says only which case and when. The titles are on My week, behind the sign-in.
            about = f"a task for {reference}" if reference else "a task of your own"
            lines.append(f"- {about}, due {task.due_on.day} {task.due_on:%B}")
        count = len(tasks)
        noun = "task" if count == 1 else "tasks"
        reminders.append(
            Reminder(
                kind=ReminderKind.TASK_OVERDUE,
                recipient=owner,
                subject=f"You have {count} overdue {noun}",
                body=f"You have {count} overdue {noun}:\n" + "\n".join(lines),
                link=reverse("diary:my_week"),
                about=[(task.pk, task.client_id) for task in tasks],
            )
        )
    return reminders


def _sent_today(today: dt.date) -> set[tuple[str, uuid.UUID, uuid.UUID]]:
    return {
        (kind, object_id, recipient_id)
        for kind, object_id, recipient_id in ReminderSent.objects.filter(for_date=today).values_list(
            "kind", "object_id", "recipient_id"
        )
    }


def reminders_due(today: dt.date) -> list[Reminder]:
    """Every reminder for `today` not yet sent, in the order they go out (most urgent first)."""
    already = _sent_today(today)
    found = [*_release_reminders(today, 1), *_hearing_reminders(today), *_release_reminders(today, 7)]
    found = [r for r in found if not all((r.kind, obj, r.recipient.pk) in already for obj, _ in r.about)]
    return found + _overdue_task_reminders(today, already)


# --- sending -------------------------------------------------------------------------------------------------


def _send_one(reminder: Reminder, today: dt.date) -> bool:
    """Record, notify in the app and e-mail one reminder, all or nothing. False if it was already sent (a
    sweep running at the same time got there first)."""
    try:
        with transaction.atomic():
            rows = ReminderSent.objects.bulk_create(
                ReminderSent(kind=reminder.kind, object_id=object_id, recipient=reminder.recipient, for_date=today)
                for object_id, _ in reminder.about
            )
            for row, (_, client_id) in zip(rows, reminder.about, strict=True):
                audit_event_record(
                    actor=None,
                    action=AuditAction.CREATE,
                    obj=row,
                    client_id=client_id,
                    detail={"what": "reminder_email", "kind": reminder.kind, "recipient": str(reminder.recipient.pk)},
                )
            notify(recipients=[reminder.recipient], subject=reminder.subject, body=reminder.body, link=reminder.link)
            send_mail(
                reminder.subject,
                f"{reminder.body}\n\n{email_link_line(reminder.link)}",
                settings.DEFAULT_FROM_EMAIL,
                [reminder.recipient.email],
                fail_silently=False,
            )
    except IntegrityError:
        return False
    return True


def reminders_send(*, today: dt.date | None = None) -> ReminderRun:
    """Send every reminder due `today` (London's today by default) that has not gone already."""
    today = today or timezone.localdate()
    run = ReminderRun(today=today)
    for reminder in reminders_due(today):
        try:
            sent = _send_one(reminder, today)
        except OSError:  # the mail server refused or could not be reached (smtplib's errors are OSErrors)
            logger.exception("reminder %s to user %s not sent", reminder.kind, reminder.recipient.pk)
            run.failed += 1
            continue
        if sent:
            run.sent.append(reminder)
        else:
            run.already_sent += 1
    return run

