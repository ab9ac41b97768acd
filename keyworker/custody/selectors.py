"""Reading custody and court records through the access policy: a custody episode or a hearing is part of its
client's record, so it is in reach exactly when the client is (core/policy.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus, Pathway
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.custody.models import (
    SETTLED_NEED_STATUSES,
    Charge,
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    Hearing,
    ReleaseNeed,
    ReleaseNeedUpdate,
)
from keyworker.people.models import Client


def establishment_list_for(user: User) -> QuerySet[Establishment]:
    if not policy.can_use_directory(user):
        return Establishment.objects.none()
    return Establishment.objects.all()


def custody_episode_list_for(user: User) -> QuerySet[CustodyEpisode]:
    return CustodyEpisode.objects.filter(client__in=policy.clients_visible_to(user)).select_related(
        "client", "establishment"
    )


def hearing_list_for(user: User) -> QuerySet[Hearing]:
    return Hearing.objects.filter(client__in=policy.clients_visible_to(user)).select_related("client", "court")


@dataclass
class UpcomingRelease:
    episode: CustodyEpisode
    days_to_go: int
    open_needs: list[ReleaseNeed]


def releases_upcoming_for(
    user: User, *, today: dt.date, weeks: int = 12, keyworker: User | None = None
) -> list[UpcomingRelease]:
    """Releases from today to `weeks` ahead of clients in the user's reach, soonest first, with the needs
    still open on each plan. With `keyworker`, only the clients that person is keyworker for (My week);
    without, everyone in reach (the team release board)."""
    episodes = custody_episode_list_for(user).filter(
        released_on__isnull=True, release_on__gte=today, release_on__lte=today + dt.timedelta(weeks=weeks)
    )
    if keyworker is not None:
        episodes = episodes.filter(
            client__cases__keyworker=keyworker, client__cases__status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]
        )
    return [_upcoming(episode, today) for episode in _with_open_needs(episodes)]


def _with_open_needs(episodes: QuerySet[CustodyEpisode]) -> QuerySet[CustodyEpisode]:
    open_needs = ReleaseNeed.objects.exclude(status__in=SETTLED_NEED_STATUSES).order_by("due_on", "title")
    return (
        episodes.distinct()  # a client with two open cases joins twice
        .prefetch_related(Prefetch("needs", queryset=open_needs, to_attr="open_needs"))
        .order_by("release_on", "client__last_name")
    )


def _upcoming(episode: CustodyEpisode, today: dt.date) -> UpcomingRelease:
    days_to_go = (episode.release_on - today).days if episode.release_on else 0
    needs = episode.open_needs  # type: ignore[attr-defined]  # prefetched by _with_open_needs
    return UpcomingRelease(episode=episode, days_to_go=days_to_go, open_needs=list(needs))


def keyworker_releases_for(
    user: User, *, monday: dt.date, sunday: dt.date, today: dt.date, weeks: int = 12
) -> tuple[list[CustodyEpisode], list[UpcomingRelease]]:
    """For My week, in one query (and one for the needs): the releases of the clients the user is keyworker for
    (an open or on-hold case) that fall in the week shown (expected, or actual once it happened), and those to
    come from today to `weeks` ahead with their open needs (what releases_upcoming_for(keyworker=user) gives)."""
    horizon = today + dt.timedelta(weeks=weeks)
    in_week = Q(released_on__isnull=True, release_on__gte=monday, release_on__lte=sunday) | Q(
        released_on__gte=monday, released_on__lte=sunday
    )
    to_come = Q(released_on__isnull=True, release_on__gte=today, release_on__lte=horizon)
    episodes = list(
        _with_open_needs(
            custody_episode_list_for(user).filter(
                in_week | to_come,
                client__cases__keyworker=user,
                client__cases__status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD],
            )
        )
    )

    def released_in_week(e: CustodyEpisode) -> bool:
        day = e.released_on or e.release_on
        return day is not None and monday <= day <= sunday

    week = [e for e in episodes if released_in_week(e)]
    coming = [
        _upcoming(e, today)
        for e in episodes
        if e.released_on is None and e.release_on is not None and today <= e.release_on <= horizon
    ]
    return week, coming


def hearings_between_for(user: User, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Hearing]:
    """Hearings in a time window of clients in the user's reach."""
    return hearing_list_for(user).filter(Q(starts_at__gte=start) & Q(starts_at__lt=end)).order_by("starts_at")


# --- single records and a client's custody and court page -------------------------------------------------


def establishment_get_for(user: User, establishment_id: uuid.UUID | str) -> Establishment:
    return one_or_not_found(establishment_list_for(user), pk=establishment_id)


def custody_episode_get_for(user: User, episode_id: uuid.UUID | str) -> CustodyEpisode:
    return one_or_not_found(custody_episode_list_for(user), pk=episode_id)


def release_need_get_for(user: User, need_id: uuid.UUID | str) -> ReleaseNeed:
    needs = ReleaseNeed.objects.filter(episode__client__in=policy.clients_visible_to(user)).select_related(
        "episode", "episode__client", "episode__establishment"
    )
    return one_or_not_found(needs, pk=need_id)


def hearing_get_for(user: User, hearing_id: uuid.UUID | str) -> Hearing:
    return one_or_not_found(hearing_list_for(user).prefetch_related("charges"), pk=hearing_id)


def charges_of(client: Client) -> QuerySet[Charge]:
    """A client's charges; the caller has already fetched the client through the policy."""
    return Charge.objects.filter(client=client).order_by("created_at")


def custody_episodes_of(client: Client) -> QuerySet[CustodyEpisode]:
    """A client's custody episodes with their plans, update histories and transfers, newest first (a fixed
    number of queries however long the history)."""
    updates = ReleaseNeedUpdate.objects.select_related("recorded_by").order_by("created_at")
    needs = ReleaseNeed.objects.prefetch_related(Prefetch("updates", queryset=updates)).order_by("due_on", "title")
    transfers = CustodyTransfer.objects.select_related("from_establishment", "to_establishment")
    return (
        CustodyEpisode.objects.filter(client=client)
        .select_related("establishment", "source_hearing")
        .prefetch_related(Prefetch("needs", queryset=needs), Prefetch("transfers", queryset=transfers))
        .order_by("-received_on", "-created_at")
    )


def hearings_of(client: Client) -> QuerySet[Hearing]:
    return (
        Hearing.objects.filter(client=client)
        .select_related("client", "court", "next_hearing", "outcome_recorded_by")
        .prefetch_related("charges", "custody_episodes")
        .order_by("starts_at")
    )


@dataclass
class PathwayNeeds:
    pathway: str
    label: str
    needs: list[ReleaseNeed]


def needs_by_pathway(needs: list[ReleaseNeed]) -> list[PathwayNeeds]:
    """A plan's needs under the seven pathways, in their usual order (pathways with no needs left out)."""
    return [
        PathwayNeeds(pathway=value, label=label, needs=[n for n in needs if n.pathway == value])
        for value, label in Pathway.choices
        if any(n.pathway == value for n in needs)
    ]
