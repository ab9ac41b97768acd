"""Reading calendar feeds and what a feed carries, through the access policy.

A feed is its owner's diary seen by the owner: the same reach (core/policy.py) as their My week, read
without a session because the secret address stands for the owner."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from keyworker.accounts.models import User
from keyworker.casework.models import Case, CaseStatus
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.custody.models import CustodyEpisode, Hearing
from keyworker.custody.selectors import custody_episode_list_for, hearing_list_for
from keyworker.diary.models import Appointment, AppointmentStatus, CalendarFeed
from keyworker.diary.selectors.appointments import appointment_list_for

# Longer than any secret we make (43 characters); anything longer is not worth hashing.
MAX_SECRET_LENGTH = 100
# What the feed carries: four weeks back (for a look at what happened) to 26 weeks ahead.
FEED_DAYS_BACK = 28
FEED_DAYS_AHEAD = 26 * 7
LIVE_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.ON_HOLD)
# An appointment no longer happening: a rescheduled one points at its replacement, which is shown instead.
NOT_HAPPENING = (AppointmentStatus.CANCELLED, AppointmentStatus.RESCHEDULED)


def calendar_feed_hash(secret: str) -> str:
    """What is stored for a feed's secret: its SHA-256 in hex. The secret holds 256 random bits, so a plain
    hash is enough (there is nothing to guess), as for API tokens (docs/decisions/0012)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def calendar_feed_list_for(user: User) -> QuerySet[CalendarFeed]:
    """The user's own feeds, newest first: nobody sees anyone else's."""
    if not policy.can_use_calendar_feed(user):
        return CalendarFeed.objects.none()
    return CalendarFeed.objects.filter(owner_id=user.pk).order_by("-created_at")


def calendar_feed_current_for(user: User) -> CalendarFeed | None:
    """The user's working feed, if they have one (making a new one revokes the old, so at most one)."""
    return calendar_feed_list_for(user).filter(revoked_at__isnull=True).first()


def calendar_feed_get_for(user: User, feed_id: uuid.UUID | str) -> CalendarFeed:
    """One of the user's own feeds; someone else's, like an unknown one, is not found."""
    return one_or_not_found(calendar_feed_list_for(user), pk=feed_id)


def calendar_feed_lookup(secret: str) -> CalendarFeed | None:
    """The feed a secret address names, working or not, with its owner; None if it is not one of ours.
    Found by the hash of the secret through the unique index: the secret itself is never compared, so how
    long the lookup takes says nothing about it."""
    if not secret or len(secret) > MAX_SECRET_LENGTH:
        return None
    return CalendarFeed.objects.select_related("owner").filter(secret_hash=calendar_feed_hash(secret)).first()


def calendar_feed_usable(feed: CalendarFeed) -> bool:
    """A feed works until it is revoked, and only while its owner is active and has a diary."""
    return feed.revoked_at is None and policy.can_use_calendar_feed(feed.owner)


def calendar_feed_for_secret(secret: str) -> CalendarFeed | None:
    """The working feed a secret address names, or None (unknown, revoked, or an owner who is disabled or no
    longer has a diary)."""
    feed = calendar_feed_lookup(secret)
    return feed if feed is not None and calendar_feed_usable(feed) else None


# --- what a feed carries -------------------------------------------------------------------------------------


@dataclass
class CalendarEntries:
    """The owner's diary for the feed's window, every record within the owner's reach today."""

    appointments: list[Appointment]
    hearings: list[Hearing]
    releases: list[CustodyEpisode]
    # The case reference the owner knows each client by (client id -> reference); absent if none.
    case_references: dict[uuid.UUID, str]

    @property
    def records(self) -> list[Appointment | Hearing | CustodyEpisode]:
        return [*self.appointments, *self.hearings, *self.releases]

    @property
    def client_ids(self) -> list[uuid.UUID]:
        seen: dict[uuid.UUID, None] = {}
        for record in self.records:
            if record.client_id is not None:
                seen.setdefault(record.client_id, None)
        return list(seen)


def case_references_for(user: User, client_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    """For each client, the reference of their open (or on-hold) case the user is keyworker for, else one with
    the user's team; the most recently opened wins. Clients with neither are left out ("no case reference")."""
    ids = list(client_ids)
    if not ids:
        return {}
    scope = Q(keyworker_id=user.pk)
    if user.team_id:
        scope |= Q(team_id=user.team_id)
    cases = (
        Case.objects.filter(scope, client_id__in=ids, status__in=LIVE_CASE_STATUSES)
        .order_by("client_id", "-opened_on", "reference")
        .values_list("client_id", "reference", "keyworker_id")
    )
    found: dict[uuid.UUID, tuple[bool, str]] = {}
    for client_id, reference, keyworker_id in cases:
        own = keyworker_id == user.pk
        if client_id not in found or (own and not found[client_id][0]):
            found[client_id] = (own, reference)
    return {client_id: reference for client_id, (_, reference) in found.items()}


def calendar_entries_for(owner: User, *, now: dt.datetime) -> CalendarEntries:
    """What the owner's feed holds: their own appointments (not cancelled; a rescheduled one only as its
    replacement), and the hearings and release dates of the clients they are keyworker for. A hearing or
    release the owner has their own appointment for (attending court, meeting at the gate) is left to that
    appointment, so it is not in the calendar twice (docs/decisions/0020)."""
    start, end = now - dt.timedelta(days=FEED_DAYS_BACK), now + dt.timedelta(days=FEED_DAYS_AHEAD)
    appointments = list(
        appointment_list_for(owner, narrow=Q(staff_id=owner.pk, starts_at__gte=start, starts_at__lt=end))
        .exclude(status__in=NOT_HAPPENING)
        .select_related("establishment")
        .order_by("starts_at", "pk")
    )
    attended_hearings = {a.hearing_id for a in appointments if a.hearing_id}
    met_releases = {a.custody_episode_id for a in appointments if a.custody_episode_id}

    own_clients = Q(client__cases__keyworker_id=owner.pk, client__cases__status__in=LIVE_CASE_STATUSES)
    hearings = [
        hearing
        for hearing in hearing_list_for(owner)
        .filter(own_clients, starts_at__gte=start, starts_at__lt=end)
        .distinct()  # a client with two live cases joins twice
        .order_by("starts_at", "pk")
        if hearing.pk not in attended_hearings
    ]
    first_day, last_day = start.date(), end.date()
    releases = [
        episode
        for episode in custody_episode_list_for(owner)
        .filter(own_clients)
        .filter(
            Q(released_on__isnull=True, release_on__gte=first_day, release_on__lte=last_day)
            | Q(released_on__gte=first_day, released_on__lte=last_day)
        )
        .distinct()
        .order_by("release_on", "pk")
        if episode.pk not in met_releases
    ]
    entries = CalendarEntries(appointments=appointments, hearings=hearings, releases=releases, case_references={})
    entries.case_references = case_references_for(owner, entries.client_ids)
    return entries
