"""A peer mentor's own view of their mentees, through the access policy: a mentor's fields only, and the
sessions the mentor recorded themselves."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.diary.models import Appointment, AppointmentStatus
from keyworker.outcomes.models import Mentoring, MentoringSession

__all__ = ["MENTOR_FIELDS", "MenteeCard", "MentorSessionLine", "mentee_cards_for"]


@dataclass(frozen=True)
class MentorSessionLine:
    """A session the mentor recorded, as they see it: when, how long, their own note."""

    held_on: dt.date
    duration_minutes: int
    note: str


@dataclass(frozen=True)
class MenteeCard:
    """All a peer mentor sees of a mentee: a first name, how it is safe to contact them, the next session."""

    client_id: uuid.UUID  # for the audit trail; never shown to the mentor
    first_name: str
    may_phone: bool
    may_text: bool
    may_leave_voicemail: bool
    may_write: bool
    code_word: str
    next_session: dt.datetime | None
    mentoring_id: uuid.UUID | None = None  # the current relationship, for recording a session
    sessions: tuple[MentorSessionLine, ...] = ()  # the sessions this mentor recorded, newest first


MENTOR_FIELDS = ("id", "first_name", "may_phone", "may_text", "may_leave_voicemail", "may_write", "code_word")


def mentee_cards_for(user: User) -> list[MenteeCard]:
    mentees = list(policy.mentees_visible_to(user).only(*MENTOR_FIELDS).order_by("first_name"))
    upcoming: dict[object, dt.datetime] = {}
    for appt in (
        Appointment.objects.filter(
            staff=user,
            client__in=[m.pk for m in mentees],
            starts_at__gte=timezone.now(),
            status=AppointmentStatus.BOOKED,
        )
        .order_by("starts_at")
        .values("client_id", "starts_at")
    ):
        upcoming.setdefault(appt["client_id"], appt["starts_at"])
    current = dict(
        Mentoring.objects.filter(mentor=user, mentee__in=[m.pk for m in mentees], ended_on__isnull=True).values_list(
            "mentee_id", "pk"
        )
    )
    sessions: dict[object, list[MentorSessionLine]] = {}
    for row in (
        MentoringSession.objects.filter(mentoring__in=list(current.values()), recorded_by=user)
        .order_by("-held_on", "-created_at")
        .values("mentoring__mentee_id", "held_on", "duration_minutes", "note")
    ):
        sessions.setdefault(row["mentoring__mentee_id"], []).append(
            MentorSessionLine(held_on=row["held_on"], duration_minutes=row["duration_minutes"], note=row["note"])
        )
    return [
        MenteeCard(
            client_id=m.pk,
            first_name=m.first_name,
            may_phone=m.may_phone,
            may_text=m.may_text,
            may_leave_voicemail=m.may_leave_voicemail,
            may_write=m.may_write,
            code_word=m.code_word,
            next_session=upcoming.get(m.pk),
            mentoring_id=current.get(m.pk),
            sessions=tuple(sessions.get(m.pk, ())),
        )
        for m in mentees
    ]
