"""Writes about staff accounts: personal API tokens."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from keyworker.accounts.models import API_TOKEN_MARK, API_TOKEN_PREFIX_LENGTH, ApiToken, User, api_token_hash
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core.errors import NotFound, ValidationFailed

TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365
TOKEN_NAME_MAX_LENGTH = 100
# A token's last use is written at most this often, so a busy integration does not write on every call.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _new_plain_token() -> str:
    return API_TOKEN_MARK + secrets.token_urlsafe(32)  # 32 random bytes: 43 URL-safe characters


@transaction.atomic
def token_create(
    *,
    actor: User,
    name: str,
    can_read: bool,
    can_write: bool,
    expires_in_days: int = TOKEN_DEFAULT_DAYS,
) -> tuple[ApiToken, str]:
    """A new token for `actor` and the token itself, which is stored only as a hash: show it once, now."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter a name for the token, such as the system that will use it."]
    elif len(name) > TOKEN_NAME_MAX_LENGTH:
        errors["name"] = [f"The name must be {TOKEN_NAME_MAX_LENGTH} characters or fewer."]
    if not (can_read or can_write):
        errors["scopes"] = ["Choose what the token may do: read, write or both."]
    if not isinstance(expires_in_days, int) or not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        errors["expires_in_days"] = [f"A token must expire in between 1 and {TOKEN_MAX_DAYS} days."]
    if errors:
        raise ValidationFailed("There is a problem with this token.", errors)
    if not actor.is_active:
        raise NotFound()

    plain = _new_plain_token()
    now = timezone.now()
    token = ApiToken.objects.create(
        owner=actor,
        name=name,
        prefix=plain[:API_TOKEN_PREFIX_LENGTH],
        token_hash=api_token_hash(plain),
        can_read=can_read,
        can_write=can_write,
        expires_at=now + dt.timedelta(days=expires_in_days),
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        detail={"what": "api_token", "prefix": token.prefix, "scopes": token.scopes,
                "expires_at": token.expires_at.isoformat()},
    )
    return token, plain


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Stop `token` working, from the next request. Only its owner may; to anyone else it does not exist."""
    if token.owner_id != actor.pk:
        raise NotFound()
    now = timezone.now()
    # One conditional update: of two revokes racing, exactly one succeeds and records an event.
    changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=now, updated_at=now, version=F("version") + 1
    )
    if not changed:
        raise ValidationFailed("This token has already been revoked.")
    token.refresh_from_db()
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=token, detail={"what": "api_token_revoked", "prefix": token.prefix}
    )
    return token


def token_refusal_reason(token: ApiToken | None, at: dt.datetime) -> str | None:
    """Why a presented token does not work, or None if it does."""
    if token is None:
        return "unknown"
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at <= at:
        return "expired"
    if not token.owner.is_active:
        return "owner_disabled"
    return None


@transaction.atomic
def token_refused(*, token: ApiToken | None, reason: str) -> None:
    """A request presented a token that does not work: a failed sign-in, recorded like one (no actor; never
    the presented value, which may be a real token mistyped; the token's id when it is one of ours)."""
    audit_event_record(
        actor=None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type=ApiToken._meta.label_lower,
        object_id=str(token.pk) if token is not None else "",
        detail={"stage": "api_token", "reason": reason},
    )


def token_use_is_due(token: ApiToken, at: dt.datetime) -> bool:
    """Whether `token`'s last use is old enough to be written again."""
    return token.last_used_at is None or token.last_used_at <= at - LAST_USED_RESOLUTION


@transaction.atomic
def token_mark_used(*, token: ApiToken, at: dt.datetime) -> None:
    """Note that `token` was used at `at`, at most once a minute. Not an audit event: the requests it
    makes are audited themselves, as their owner's."""
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=at - LAST_USED_RESOLUTION), pk=token.pk
    ).update(last_used_at=at)
    token.last_used_at = at
