"""Reading custody and court records through the access policy: a custody episode or a hearing is part of its
client's record, so it is in reach exactly when the client is (core/policy.py)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus
from keyworker.core import policy
from keyworker.custody.models import (
    SETTLED_NEED_STATUSES,
    CustodyEpisode,
    Establishment,
    Hearing,
    ReleaseNeed,
)


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
    open_needs = ReleaseNeed.objects.exclude(status__in=SETTLED_NEED_STATUSES).order_by("due_on", "title")
    episodes = (
        episodes.distinct()  # a client with two open cases joins twice
        .prefetch_related(Prefetch("needs", queryset=open_needs, to_attr="open_needs"))
        .order_by("release_on", "client__last_name")
    )
    return [
        UpcomingRelease(
            episode=episode,
            days_to_go=(episode.release_on - today).days if episode.release_on else 0,
            open_needs=list(episode.open_needs),
        )
        for episode in episodes
    ]


def hearings_between_for(user: User, *, start: dt.datetime, end: dt.datetime) -> QuerySet[Hearing]:
    """Hearings in a time window of clients in the user's reach."""
    return hearing_list_for(user).filter(Q(starts_at__gte=start) & Q(starts_at__lt=end)).order_by("starts_at")
