"""Reading the diary: appointments, My week and the team week, through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus, Task
from keyworker.casework.rules import week_bounds
from keyworker.casework.selectors import task_list_for
from keyworker.core import policy
from keyworker.core.errors import NotFound, id_or_not_found, one_or_not_found
from keyworker.custody.models import COURT_KINDS, PRISON_KINDS, CustodyEpisode, Establishment, Hearing
from keyworker.custody.selectors import (
    UpcomingRelease,
    custody_episode_list_for,
    establishment_list_for,
    hearings_between_for,
    keyworker_releases_for,
)
from keyworker.diary.models import KEY_DATE_KINDS, Appointment
from keyworker.people.models import Client
from keyworker.services.models import OutboundReferral
from keyworker.services.selectors.referrals import follow_ups_due_for

__all__ = [
    "Day",
    "MemberWeek",
    "TeamWeek",
    "VisitGroup",
    "Week",
    "appointment_get_for",
    "appointment_list_for",
    "appointments_between_for",
    "bookable_clients_for",
    "court_list_for",
    "custody_episode_get_for",
    "group_of",
    "hearing_get_for",
    "my_week_for",
    "prison_list_for",
    "rescheduled_from",
    "team_week_for",
]

CURRENT_CASE = [CaseStatus.OPEN, CaseStatus.ON_HOLD]


def appointment_list_for(user: User, *, narrow: Q | None = None) -> QuerySet[Appointment]:
    """Appointments about clients in the user's reach, and the user's own appointments with no client
    (`narrow`, e.g. a date range, is applied where the database can use it best)."""
    return Appointment.objects.filter(policy.about_reach_or_own(Appointment, user, "staff", narrow)).select_related(
        "client", "staff", "establishment"
    )


def appointment_get_for(user: User, appointment_id: uuid.UUID | str) -> Appointment:
    appointment_id = id_or_not_found(appointment_id)
    return one_or_not_found(
        appointment_list_for(user, narrow=Q(pk=appointment_id)).select_related(
            "custody_episode__establishment", "hearing__court", "rescheduled_to", "outcome_contact"
        ),
        pk=appointment_id,
    )


def appointments_between_for(
    user: User, *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Appointment]:
    """Appointments in reach starting on `start` to `end` (London dates, both included), soonest first."""
    within = Q()
    if start is not None:
        within &= Q(starts_at__gte=_midnight(start))
    if end is not None:
        within &= Q(starts_at__lt=_midnight(end + dt.timedelta(days=1)))
    return appointment_list_for(user, narrow=within).order_by("starts_at", "id")


def group_of(user: User, appointment: Appointment) -> list[Appointment]:
    """The appointments booked together with this one that the user can see, itself included."""
    if appointment.group is None:
        return [appointment]
    return list(appointment_list_for(user, narrow=Q(group=appointment.group)).order_by("starts_at"))


def rescheduled_from(user: User, appointment: Appointment) -> Appointment | None:
    """The appointment this one replaced, if the user can see it."""
    return appointment_list_for(user, narrow=Q(rescheduled_to=appointment)).first()


def bookable_clients_for(user: User) -> QuerySet[Client]:
    """Clients the user may book for: in reach, with a current case (a caseload, not the archive)."""
    return (
        policy.clients_visible_to(user)
        .filter(cases__status__in=CURRENT_CASE)
        .distinct()
        .order_by("last_name", "first_name")
    )


def prison_list_for(user: User) -> QuerySet[Establishment]:
    return establishment_list_for(user).filter(kind__in=PRISON_KINDS, is_active=True).order_by("name")


def court_list_for(user: User) -> QuerySet[Establishment]:
    return establishment_list_for(user).filter(kind__in=COURT_KINDS, is_active=True).order_by("name")


def custody_episode_get_for(user: User, episode_id: uuid.UUID | str) -> CustodyEpisode:
    return one_or_not_found(custody_episode_list_for(user), pk=episode_id)


def hearing_get_for(user: User, hearing_id: uuid.UUID | str) -> Hearing:
    from keyworker.custody.selectors import hearing_list_for

    return one_or_not_found(hearing_list_for(user), pk=hearing_id)


# ------------------------------------------------------------------------------------------------ weeks


@dataclass
class VisitGroup:
    """Appointments booked together (one prison, one day), shown as one visit with its clients."""

    appointments: list[Appointment]

    @property
    def first(self) -> Appointment:
        return self.appointments[0]

    @property
    def starts_at(self) -> dt.datetime:
        return self.appointments[0].starts_at

    @property
    def ends_at(self) -> dt.datetime:
        return max(a.ends_at for a in self.appointments)


@dataclass
class Day:
    date: dt.date
    appointments: list[Appointment] = field(default_factory=list)
    # Key dates: court and gate appointments, then hearings and releases no appointment stands for.
    key_dates: list[Appointment] = field(default_factory=list)
    hearings: list[Hearing] = field(default_factory=list)
    releases: list[CustodyEpisode] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    # Referrals out the user made whose follow-up falls on this day.
    follow_ups: list[OutboundReferral] = field(default_factory=list)
    # Follow-ups overdue before the week: shown with the overdue tasks, carried on Monday so that whoever
    # audits the days' records() audits them too.
    overdue_follow_ups: list[OutboundReferral] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.appointments or self.key_dates or self.hearings or self.releases or self.tasks or self.follow_ups
        )

    @property
    def appointment_rows(self) -> list[Appointment | VisitGroup]:
        """The day's appointments, those booked together as one row each."""
        rows: list[Appointment | VisitGroup] = []
        groups: dict[uuid.UUID, VisitGroup] = {}
        for appointment in self.appointments:
            if appointment.group is None:
                rows.append(appointment)
            elif appointment.group in groups:
                groups[appointment.group].appointments.append(appointment)
            else:
                groups[appointment.group] = VisitGroup([appointment])
                rows.append(groups[appointment.group])
        return [row.first if isinstance(row, VisitGroup) and len(row.appointments) == 1 else row for row in rows]

    def records(self) -> list[Appointment | Hearing | CustodyEpisode | Task | OutboundReferral]:
        return [
            *self.appointments,
            *self.key_dates,
            *self.hearings,
            *self.releases,
            *self.tasks,
            *self.follow_ups,
            *self.overdue_follow_ups,
        ]


@dataclass
class Week:
    monday: dt.date
    sunday: dt.date
    days: list[Day]
    overdue_tasks: list[Task]
    # releases of the user's own clients from today to 12 weeks ahead, for My week's countdown
    releases_coming: list[UpcomingRelease] = field(default_factory=list)

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def overdue_follow_ups(self) -> list[OutboundReferral]:
        return [r for day in self.days for r in day.overdue_follow_ups]


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _empty_days(monday: dt.date) -> dict[dt.date, Day]:
    return {monday + dt.timedelta(days=i): Day(date=monday + dt.timedelta(days=i)) for i in range(7)}


def _release_date(episode: CustodyEpisode) -> dt.date | None:
    return episode.released_on or episode.release_on


def _releases_between(user: User, monday: dt.date, sunday: dt.date) -> QuerySet[CustodyEpisode]:
    """Custody episodes in reach whose release (expected, or actual once it happened) is in the week."""
    return custody_episode_list_for(user).filter(
        Q(released_on__isnull=True, release_on__gte=monday, release_on__lte=sunday)
        | Q(released_on__gte=monday, released_on__lte=sunday)
    )


def _keyworker_of(staff: Iterable[User]) -> Q:
    """Clients one of `staff` is keyworker for on a current case."""
    return Q(client__cases__keyworker__in=list(staff), client__cases__status__in=CURRENT_CASE)


def _place_key_dates(
    days: dict[dt.date, Day],
    appointments: Iterable[Appointment],
    hearings: Iterable[Hearing],
    releases: Iterable[CustodyEpisode],
) -> None:
    """Put appointments, hearings and releases on their London days; a hearing or release already on the
    diary as an appointment linked to it (attending court, meeting at the gate) is not shown twice."""
    covered_hearings: set[uuid.UUID] = set()
    covered_episodes: set[uuid.UUID] = set()
    for appointment in appointments:
        bucket = days[timezone.localtime(appointment.starts_at).date()]
        (bucket.key_dates if appointment.is_key_date else bucket.appointments).append(appointment)
        if appointment.hearing_id:
            covered_hearings.add(appointment.hearing_id)
        if appointment.custody_episode_id:
            covered_episodes.add(appointment.custody_episode_id)
    for hearing in hearings:
        day = days.get(timezone.localtime(hearing.starts_at).date())
        if day is not None and hearing.pk not in covered_hearings:
            day.hearings.append(hearing)
    for episode in releases:
        date = _release_date(episode)
        day = days.get(date) if date else None
        if day is not None and episode.pk not in covered_episodes:
            day.releases.append(episode)


def my_week_for(user: User, day: dt.date | None = None) -> Week:
    """The user's week, Monday to Sunday: their appointments, their tasks due, and the hearings and releases
    of the clients they are keyworker for (as appointments, whoever booked them, or from custody records)."""
    today = timezone.localdate()
    monday, sunday = week_bounds(day or today)
    start, end = _midnight(monday), _midnight(sunday + dt.timedelta(days=1))

    own_clients = _keyworker_of([user])
    appointments = (
        appointment_list_for(user, narrow=Q(starts_at__gte=start, starts_at__lt=end))
        .filter(Q(staff=user) | (Q(kind__in=KEY_DATE_KINDS) & own_clients))
        .distinct()
        .order_by("starts_at")
    )
    hearings = hearings_between_for(user, start=start, end=end).filter(own_clients).distinct()
    releases, releases_coming = keyworker_releases_for(user, monday=monday, sunday=sunday, today=today)
    days = _empty_days(monday)
    _place_key_dates(days, appointments, hearings, releases)

    # This week's tasks and follow-ups, and (for this week or a past one) those overdue before it: one query
    # each, split here.
    due = Q(due_on__gte=monday, due_on__lte=sunday)
    if monday <= today:
        due |= Q(due_on__lt=monday)
    overdue: list[Task] = []
    for task in task_list_for(user, narrow=due & Q(owner=user)):
        if task.due_on < monday:
            overdue.append(task)
        else:
            days[task.due_on].tasks.append(task)
    follow_ups = follow_ups_due_for(user, until=sunday)
    if monday > today:
        follow_ups = follow_ups.filter(follow_up_on__gte=monday)
    for referral in follow_ups:
        bucket = days.get(referral.follow_up_on) if referral.follow_up_on else None
        (bucket.follow_ups if bucket else days[monday].overdue_follow_ups).append(referral)
    return Week(
        monday=monday, sunday=sunday, days=list(days.values()), overdue_tasks=overdue, releases_coming=releases_coming
    )


@dataclass
class MemberWeek:
    member: User
    days: list[Day]

    @property
    def is_empty(self) -> bool:
        return all(day.is_empty for day in self.days)


@dataclass
class TeamWeek:
    monday: dt.date
    sunday: dt.date
    members: list[MemberWeek]

    @property
    def previous_monday(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_monday(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    def on(self, date: dt.date) -> list[tuple[User, Day]]:
        """Each member's day, in the members' order."""
        return [(m.member, next(d for d in m.days if d.date == date)) for m in self.members]

    @property
    def dates(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]


def team_week_for(user: User, day: dt.date | None = None) -> TeamWeek:
    """A manager's view of their team's week: each member's appointments (those about clients the manager
    can see) and the hearings and releases of the clients each member is keyworker for. NotFound for anyone
    else."""
    if not policy.can_see_team_week(user):
        raise NotFound()
    monday, sunday = week_bounds(day or timezone.localdate())
    start, end = _midnight(monday), _midnight(sunday + dt.timedelta(days=1))
    members = list(policy.team_members_of(user).order_by("first_name", "last_name"))
    by_member = {m.pk: _empty_days(monday) for m in members}

    appointments_by_member: dict[uuid.UUID, list[Appointment]] = defaultdict(list)
    for appointment in (
        appointment_list_for(user, narrow=Q(starts_at__gte=start, starts_at__lt=end))
        .filter(staff__in=members)
        .order_by("starts_at")
    ):
        appointments_by_member[appointment.staff_id].append(appointment)

    hearings = list(hearings_between_for(user, start=start, end=end).filter(_keyworker_of(members)).distinct())
    releases = list(
        _releases_between(user, monday, sunday).filter(_keyworker_of(members)).distinct().order_by("release_on")
    )
    # Whose key dates they are: every member keyworker for the client on a current case.
    client_ids = {h.client_id for h in hearings} | {e.client_id for e in releases}
    keyworkers: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for client_id, keyworker_id in policy.cases_visible_to(user).filter(
        client_id__in=client_ids, status__in=CURRENT_CASE, keyworker__in=members
    ).values_list("client_id", "keyworker_id"):
        keyworkers[client_id].add(keyworker_id)

    for member in members:
        _place_key_dates(
            by_member[member.pk],
            appointments_by_member[member.pk],
            [h for h in hearings if member.pk in keyworkers[h.client_id]],
            [e for e in releases if member.pk in keyworkers[e.client_id]],
        )
    return TeamWeek(
        monday=monday,
        sunday=sunday,
        members=[MemberWeek(member=m, days=list(by_member[m.pk].values())) for m in members],
    )
