"""Writes about calendar feeds: making a worker's private address (shown once), revoking it, noting its use.

A worker has at most one working feed: making a new one revokes the old in the same transaction, so
"replace" is the same action as "make"."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.diary.models import CalendarFeed
from keyworker.diary.selectors.calendar_feeds import calendar_feed_hash

# A feed's last use is written at most this often: calendar apps poll, and each write takes SQLite's lock.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _new_secret() -> str:
    return secrets.token_urlsafe(32)  # 32 random bytes: 43 URL-safe characters


def _revoke_working_feeds(*, actor: User, now: dt.datetime) -> list[CalendarFeed]:
    working = list(CalendarFeed.objects.filter(owner_id=actor.pk, revoked_at__isnull=True))
    for feed in working:
        CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now, version=F("version") + 1
        )
        audit_event_record(
            actor=actor, action=AuditAction.UPDATE, obj=feed, detail={"what": "calendar_feed_revoked"}
        )
    return working


@transaction.atomic
def calendar_feed_create(*, actor: User) -> tuple[CalendarFeed, str]:
    """A new private calendar address for `actor`, replacing any they had, and its secret, which is stored
    only as a hash: show it once, now."""
    if not policy.can_use_calendar_feed(actor):
        raise NotFound()
    # Taking the owner's row lock makes two "make a new address" clicks queue, so one owner never ends up
    # with two working feeds.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    now = timezone.now()
    _revoke_working_feeds(actor=actor, now=now)
    secret = _new_secret()
    feed = CalendarFeed.objects.create(owner=actor, secret_hash=calendar_feed_hash(secret))
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=feed, detail={"what": "calendar_feed"})
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, actor: User, feed: CalendarFeed) -> CalendarFeed:
    """Stop `feed` working, from the next request. Only its owner may; to anyone else it does not exist."""
    if feed.owner_id != actor.pk:
        raise NotFound()
    now = timezone.now()
    # One conditional update: of two revokes racing, exactly one succeeds and records an event.
    changed = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now, version=F("version") + 1
    )
    if not changed:
        raise ValidationFailed("This calendar address has already been stopped.")
    feed.refresh_from_db()
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=feed, detail={"what": "calendar_feed_revoked"})
    return feed


def calendar_feed_use_is_due(feed: CalendarFeed, at: dt.datetime) -> bool:
    return feed.last_used_at is None or feed.last_used_at <= at - LAST_USED_RESOLUTION


@transaction.atomic
def calendar_feed_mark_used(*, feed: CalendarFeed, at: dt.datetime) -> None:
    """Note that `feed` was fetched at `at`, at most once a minute. Not an audit event of its own: the fetch
    is audited as the owner's read of what it showed."""
    if not calendar_feed_use_is_due(feed, at):
        return
    CalendarFeed.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=at - LAST_USED_RESOLUTION), pk=feed.pk
    ).update(last_used_at=at)
    feed.last_used_at = at
