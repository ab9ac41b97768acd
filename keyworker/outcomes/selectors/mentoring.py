"""Reading peer mentoring through the access policy: a client's path to mentoring and supervisions, the
relationships in which they are mentored and (through the staff account on their pathway) in which they mentor,
and sessions. Casework staff see what is in their reach (policy.mentoring_visible_to); a peer mentor sees only
their own current relationships, and of the sessions only those they recorded themselves."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.outcomes.models import Mentoring, MentoringSession, MentorPathway, MentorSupervision
from keyworker.outcomes.rules.mentoring import (
    SUPERVISION_EVERY_DAYS,
    dbs_expires_on,
    mentor_readiness,
    next_supervision_on,
    supervision_due,
)
from keyworker.people.models import Client
from keyworker.people.selectors import client_check_for as _check_client

__all__ = [
    "ClientMentoring",
    "Readiness",
    "mentor_account_choices",
    "mentor_choices_for",
    "mentor_pathway_for",
    "mentor_supervisions_for",
    "mentoring_as_mentee_for",
    "mentoring_as_mentor_for",
    "mentoring_for_client",
    "mentoring_get_for",
    "mentoring_sessions_for",
    "readiness_of",
    "recent_sessions_of",
    "supervisor_choices_for",
]


@dataclass(frozen=True)
class Readiness:
    """A pathway's readiness to mentor as of today, and when things next fall due."""

    ready: bool
    missing: list[str]
    dbs_expires_on: dt.date | None
    last_supervision_on: dt.date | None
    next_supervision_on: dt.date
    supervision_due: bool


def readiness_of(
    pathway: MentorPathway, last_supervision_on: dt.date | None, today: dt.date | None = None
) -> Readiness:
    today = today or timezone.localdate()
    ready, missing = mentor_readiness(pathway, today)
    return Readiness(
        ready=ready,
        missing=missing,
        dbs_expires_on=dbs_expires_on(pathway.dbs_checked_on) if pathway.dbs_checked_on else None,
        last_supervision_on=last_supervision_on,
        next_supervision_on=next_supervision_on(last_supervision_on, today, SUPERVISION_EVERY_DAYS),
        supervision_due=supervision_due(last_supervision_on, today),
    )


def mentor_pathway_for(user: User, client: Client) -> MentorPathway | None:
    """The client's path to mentoring, or None when they are not on it."""
    _check_client(user, client)
    return MentorPathway.objects.filter(client=client).select_related("supervisor", "mentor_account").first()


def mentor_supervisions_for(user: User, pathway: MentorPathway) -> list[MentorSupervision]:
    """The pathway's supervisions, newest first."""
    _check_client(user, pathway.client)
    return list(pathway.supervisions.select_related("supervisor").order_by("-held_on", "-created_at"))


def _with_session_summary(queryset: QuerySet[Mentoring]) -> QuerySet[Mentoring]:
    return queryset.annotate(session_count=Count("sessions"), last_session_on=Max("sessions__held_on")).order_by(
        "ended_on", "-started_on"
    )


def mentoring_as_mentee_for(user: User, client: Client) -> list[Mentoring]:
    """The relationships in which the client is mentored (current first), with session counts and the last."""
    _check_client(user, client)
    return list(_with_session_summary(policy.mentoring_visible_to(user).filter(mentee=client)).select_related("mentor"))


def mentoring_as_mentor_for(user: User, pathway: MentorPathway | None) -> list[Mentoring]:
    """The relationships in which the pathway's client mentors others, through the staff account they mentor
    from: only those whose mentee is in the user's reach (the others do not exist for them)."""
    if pathway is None or pathway.mentor_account_id is None:
        return []
    _check_client(user, pathway.client)
    return list(
        _with_session_summary(
            policy.mentoring_visible_to(user).filter(mentor_id=pathway.mentor_account_id)
        ).select_related("mentee")
    )


@dataclass(frozen=True)
class ClientMentoring:
    """What the client's mentoring page shows."""

    pathway: MentorPathway | None
    readiness: Readiness | None
    supervisions: list[MentorSupervision]
    as_mentor: list[Mentoring]
    as_mentee: list[Mentoring]


def mentoring_for_client(user: User, client: Client) -> ClientMentoring:
    pathway = mentor_pathway_for(user, client)
    supervisions = mentor_supervisions_for(user, pathway) if pathway else []
    return ClientMentoring(
        pathway=pathway,
        readiness=readiness_of(pathway, supervisions[0].held_on if supervisions else None) if pathway else None,
        supervisions=supervisions,
        as_mentor=mentoring_as_mentor_for(user, pathway),
        as_mentee=mentoring_as_mentee_for(user, client),
    )


def mentoring_get_for(user: User, mentoring_id: uuid.UUID | str) -> Mentoring:
    """One relationship in the user's reach, else NotFound."""
    return one_or_not_found(policy.mentoring_visible_to(user).select_related("mentor", "mentee"), pk=mentoring_id)


def mentoring_sessions_for(user: User, mentoring: Mentoring) -> list[MentoringSession]:
    """The sessions of a relationship, newest first. A mentor sees only those they recorded themselves (casework
    staff's entries may hold casework)."""
    if not policy.mentoring_visible_to(user).filter(pk=mentoring.pk).exists():
        raise NotFound()
    sessions = mentoring.sessions.select_related("recorded_by").order_by("-held_on", "-created_at")
    if user.role == Role.PEER_MENTOR:
        sessions = sessions.filter(recorded_by=user)
    return list(sessions)


def mentor_choices_for(user: User, mentee: Client) -> list[User]:
    """Peer mentors who could be matched with the client now: active, linked to a pathway that is ready, not the
    client themselves. (Whether a restriction or exclusion keeps one from the client is checked on saving.)"""
    _check_client(user, mentee)
    today = timezone.localdate()
    pathways = (
        MentorPathway.objects.filter(
            mentor_account__isnull=False, mentor_account__is_active=True, mentor_account__role=Role.PEER_MENTOR
        )
        .exclude(client=mentee)
        .select_related("mentor_account")
    )
    mentors = [p.mentor_account for p in pathways if p.mentor_account and mentor_readiness(p, today)[0]]
    return sorted(mentors, key=lambda u: (u.first_name, u.last_name))


def mentor_account_choices() -> list[User]:
    """Staff accounts a pathway could be linked to: active peer mentors not yet linked to anyone's pathway."""
    return list(
        User.objects.filter(role=Role.PEER_MENTOR, is_active=True, mentor_pathway__isnull=True).order_by(
            "first_name", "last_name"
        )
    )


def supervisor_choices_for(user: User, current: User | None) -> list[User]:
    """Who can be named as a mentor's supervisor: the active caseworkers and managers of the user's team (and the
    supervisor already named, wherever they are)."""
    people: list[User] = []
    if user.team_id:
        people = list(
            User.objects.filter(
                role__in=[Role.CASEWORKER, Role.MANAGER], is_active=True, team_id=user.team_id
            ).order_by("first_name", "last_name")
        )
    if current is not None and all(p.pk != current.pk for p in people):
        people.insert(0, current)
    if user.role in (Role.CASEWORKER, Role.MANAGER) and all(p.pk != user.pk for p in people):
        people.insert(0, user)
    return people


def recent_sessions_of(user: User, mentorings: list[Mentoring], limit: int = 20) -> list[MentoringSession]:
    """The latest sessions of relationships already read through the policy (one query), newest first."""
    if user.role == Role.PEER_MENTOR:  # this is casework staff's summary; a mentor has their own page
        return []
    return list(
        MentoringSession.objects.filter(mentoring__in=[m.pk for m in mentorings])
        .select_related("recorded_by", "mentoring__mentor", "mentoring__mentee")
        .order_by("-held_on", "-created_at")[:limit]
    )
