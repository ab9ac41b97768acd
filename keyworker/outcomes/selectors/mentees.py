"""Reading mentoring, through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.diary.models import Appointment, AppointmentStatus


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
        )
        for m in mentees
    ]
