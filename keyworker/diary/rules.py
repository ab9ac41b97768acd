"""The diary's business rules as plain functions: no database, no HTTP (tested in diary/tests/test_*rules*.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from keyworker.casework.models import ContactKind
from keyworker.diary.models import FINISHED_STATUSES, AppointmentKind, AppointmentStatus

# --- appointments -------------------------------------------------------------------------------------------

# What can be recorded about a booked appointment (rescheduling is its own action: it makes the new one).
RECORDABLE_STATUSES = (
    AppointmentStatus.ATTENDED,
    AppointmentStatus.LATE,
    AppointmentStatus.DID_NOT_ATTEND,
    AppointmentStatus.CANCELLED,
)
# Statuses that say how the meeting went, so they can only be recorded once it has begun.
ATTENDANCE_STATUSES = frozenset({AppointmentStatus.ATTENDED, AppointmentStatus.LATE, AppointmentStatus.DID_NOT_ATTEND})
PRISON_VISIT_KINDS = (AppointmentKind.PRISON_VISIT_SOCIAL, AppointmentKind.PRISON_VISIT_LEGAL)
MIN_VISIT_MINUTES = 5
MAX_VISIT_MINUTES = 8 * 60

_CONTACT_KIND = {
    AppointmentKind.OFFICE: ContactKind.OFFICE,
    AppointmentKind.HOME_VISIT: ContactKind.HOME_VISIT,
    AppointmentKind.PRISON_VISIT_SOCIAL: ContactKind.PRISON_VISIT,
    AppointmentKind.PRISON_VISIT_LEGAL: ContactKind.PRISON_VISIT,
    AppointmentKind.COURT: ContactKind.COURT,
    AppointmentKind.GATE: ContactKind.GATE,
    AppointmentKind.COURSE: ContactKind.OTHER,
    AppointmentKind.PHONE: ContactKind.PHONE,
}


def contact_kind_for(appointment_kind: str) -> str:
    """The kind of contact an appointment's outcome note is on the client's timeline."""
    return _CONTACT_KIND.get(AppointmentKind(appointment_kind), ContactKind.OTHER)


def status_change_problem(*, current: str, new: str, starts_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why `new` cannot be recorded on an appointment that is `current`, or None when it can."""
    if new not in RECORDABLE_STATUSES:
        return "Choose attended, late, did not attend or cancelled."
    if current in FINISHED_STATUSES:
        label = AppointmentStatus(current).label.lower()
        return f"This appointment is already recorded as {label}: it cannot change."
    if new in ATTENDANCE_STATUSES and now < starts_at:
        return "Attendance can be recorded once the appointment has started."
    return None


def reschedule_problem(*, current: str) -> str | None:
    if current in FINISHED_STATUSES:
        label = AppointmentStatus(current).label.lower()
        return f"This appointment is already recorded as {label}: it cannot be rescheduled."
    return None


def visit_length_problem(minutes: int) -> str | None:
    if not MIN_VISIT_MINUTES <= minutes <= MAX_VISIT_MINUTES:
        return f"A visit lasts between {MIN_VISIT_MINUTES} minutes and {MAX_VISIT_MINUTES // 60} hours."
    return None


def overlapping_slots(slots: Sequence[tuple[dt.datetime, dt.datetime]]) -> list[tuple[int, int]]:
    """The pairs (i, j), i < j, of (start, end) slots that overlap. One ending as the next starts is fine:
    a caseworker sees one client after another, not two at once."""
    order = sorted(range(len(slots)), key=lambda i: slots[i][0])
    pairs: list[tuple[int, int]] = []
    for position, i in enumerate(order):
        for j in order[position + 1 :]:
            if slots[j][0] >= slots[i][1]:
                break
            pairs.append((min(i, j), max(i, j)))
    return sorted(pairs)


# --- lone working --------------------------------------------------------------------------------------------

# The ladder's rungs, as stored in LoneWorkingEscalation.level (diary.models.EscalationLevel).
BUDDY = "buddy"
MANAGER = "manager"
HELP = "help"
LADDER_ORDER = (BUDDY, MANAGER, HELP)

# A missed check-out: the buddy is alerted 15 minutes after the expected end, the managers after 30.
OVERDUE_STEPS: tuple[tuple[str, dt.timedelta], ...] = (
    (BUDDY, dt.timedelta(minutes=15)),
    (MANAGER, dt.timedelta(minutes=30)),
)
# Longer than a working shift is a typing mistake, and would leave a worker unwatched for too long.
LONGEST_VISIT = dt.timedelta(hours=12)


def escalation_levels_due(
    *,
    expected_end: dt.datetime,
    now: dt.datetime,
    checked_out: bool,
    help_requested: bool,
    raised: Collection[str],
    stood_down: bool = False,
) -> list[str]:
    """The rungs to raise now, in ladder order, that have not been raised already.

    Nothing once the worker has checked out or a buddy or manager has stood the alert down. "I need help"
    raises every rung at once; otherwise each rung is due its fixed time after the expected end."""
    if checked_out or stood_down:
        return []
    if help_requested:
        return [level for level in LADDER_ORDER if level not in raised]
    return [level for level, after in OVERDUE_STEPS if now >= expected_end + after and level not in raised]


def escalation_check_times(expected_end: dt.datetime) -> list[dt.datetime]:
    """When the escalation job should look at a visit: each rung's time after the expected end."""
    return [expected_end + after for _, after in OVERDUE_STEPS]


def next_escalation_check(
    *,
    expected_end: dt.datetime,
    checked_out: bool,
    help_requested: bool,
    raised: Collection[str],
    stood_down: bool = False,
) -> dt.datetime | None:
    """When the next rung falls due, or None when nothing more can happen (checked out, stood down, or help
    asked for, which raised everything at once)."""
    if checked_out or stood_down or help_requested:
        return None
    for level, after in OVERDUE_STEPS:
        if level not in raised:
            return expected_end + after
    return None


def expected_end_problem(*, checked_in_at: dt.datetime, expected_end: dt.datetime) -> str | None:
    """What is wrong with an expected end time, in words for the worker, or None."""
    if expected_end <= checked_in_at:
        return "The expected end must be later than now."
    if expected_end - checked_in_at > LONGEST_VISIT:
        return "The expected end must be within 12 hours. Extend the visit later if it runs on."
    return None


def end_from_clock_time(*, now: dt.datetime, clock: dt.time) -> dt.datetime:
    """The expected end a worker means by a clock time ("17:30"): today in `now`'s time zone, or tomorrow
    when that is a visit running past midnight (within the longest visit). A time just gone stays today, so
    it is reported as before the start rather than read as nearly a day away."""
    today = dt.datetime.combine(now.date(), clock, tzinfo=now.tzinfo)
    if today > now:
        return today
    tomorrow = dt.datetime.combine(now.date() + dt.timedelta(days=1), clock, tzinfo=now.tzinfo)
    return tomorrow if tomorrow - now <= LONGEST_VISIT else today


def minutes_overdue(*, expected_end: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes past the expected end (0 when not yet overdue)."""
    return max(0, int((now - expected_end).total_seconds() // 60))


@dataclass(frozen=True)
class RiskFacts:
    """What is known about the risks of one visit, from what the visit and the client's record hold, including
    the client's latest risk review (its levels as words, e.g. ("low", "medium", "high"), and its date)."""

    with_whom: str = ""
    safe_contact_note: str = ""
    restriction_messages: Sequence[str] = ()
    area_concerns: Sequence[str] = ()
    risk_levels: tuple[str, str, str] | None = None  # to self, to others, from others
    risk_reviewed_on: dt.date | None = None


NO_RISK_RECORDED = "No risk information is recorded for this visit."


def risk_summary(facts: RiskFacts) -> list[str]:
    """The risk summary sent with a manager's escalation and an "I need help" alert: one line per fact."""
    lines: list[str] = []
    if facts.with_whom.strip():
        lines.append(f"Expected to be there: {facts.with_whom.strip()}")
    if facts.risk_levels is not None:
        to_self, to_others, from_others = facts.risk_levels
        when = f" ({facts.risk_reviewed_on:%-d %b %Y})" if facts.risk_reviewed_on else ""
        lines.append(f"Latest risk review{when}: to self {to_self}, to others {to_others}, from others {from_others}")
    lines += [f"Record restricted: {message.strip()}" for message in facts.restriction_messages if message.strip()]
    if facts.safe_contact_note.strip():
        lines.append(f"Safe-contact notes: {facts.safe_contact_note.strip()}")
    lines += [f"Area concern: {concern.strip()}" for concern in facts.area_concerns if concern.strip()]
    return lines or [NO_RISK_RECORDED]
