"""Writing audit events. Callers write them inside their own transaction, so a change and its event
commit or fail together.

Every event joins one hash chain (see chain.py): it is written under the chain's lock, after the last
event, with that event's hash. Events record ids, actions and field NAMES, never the personal data itself:
do not put names, notes, search text or anything a person typed into `detail`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from keyworker.accounts.models import User
from keyworker.audit import chain
from keyworker.audit.context import current_source
from keyworker.audit.models import AuditAction, AuditEvent


def _acting(actor: Any) -> User | None:
    """The signed-in user behind an action, or None (the system, or someone not signed in)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return actor


def _event(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: str,
    client_id: uuid.UUID | None,
    detail: dict[str, Any] | None,
    break_glass: bool,
) -> AuditEvent:
    source = current_source()
    user = _acting(actor)
    return AuditEvent(
        occurred_at=timezone.now(),
        actor=user,
        actor_role=user.role if user is not None else "",
        action=action,
        object_type=object_type,
        object_id=object_id[:64],
        client_id=client_id,
        break_glass=break_glass,
        source_ip=source.ip,
        user_agent=source.user_agent,
        detail=detail or {},
    )


def _append(events: list[AuditEvent]) -> None:
    """Link the events onto the end of the chain and insert them, under the chain's lock.

    No savepoint: inside the caller's transaction the event shares its fate (and costs two queries, three
    on PostgreSQL: lock, read the head, insert)."""
    with transaction.atomic(savepoint=False):
        chain.lock_chain()
        chain.link(events, chain.chain_head())
        if len(events) == 1:
            events[0].save(force_insert=True)
        else:
            AuditEvent.objects.bulk_create(events)


def audit_event_record(
    *,
    actor: User | None,
    action: AuditAction,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    client_id: uuid.UUID | None = None,
    detail: dict[str, Any] | None = None,
    break_glass: bool | None = None,
) -> AuditEvent:
    """Record one event about `obj` (or about `object_type`/`object_id` when there is no instance). An event
    about a client is marked break-glass when the actor reaches that client only through a break-glass grant,
    worked out here unless the caller says (so no service can forget it)."""
    if break_glass is None:
        from keyworker.core.policy import seen_by_break_glass

        break_glass = actor is not None and client_id is not None and seen_by_break_glass(actor, client_id)
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    if object_type is None:
        raise ValueError("Say what the event is about: obj, or object_type and object_id.")
    event = _event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id or "",
        client_id=client_id,
        detail=detail,
        break_glass=break_glass,
    )
    _append([event])
    return event


def client_viewed(
    *, actor: User, client_id: uuid.UUID, obj: models.Model, what: str, break_glass: bool | None = None
) -> AuditEvent:
    """A read of personal data: every page or API call that shows a client's records calls this. The event is
    marked break-glass when the actor sees the client only through a break-glass grant (worked out here, so no
    page or endpoint can forget it)."""
    return audit_event_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=obj,
        client_id=client_id,
        detail={"what": what},
        break_glass=break_glass,
    )


def clients_viewed(
    actor: User, shown: Iterable[tuple[uuid.UUID | None, models.Model]], *, what: str, break_glass: bool = False
) -> None:
    """One view audit event per client whose data a response shows, written in a single insert.

    Each event is what client_viewed writes for one client; list pages and API lists use this.
    """
    first_per_client: dict[uuid.UUID, models.Model] = {}
    for client_id, obj in shown:
        if client_id is not None:
            first_per_client.setdefault(client_id, obj)
    if not first_per_client:
        return
    events = [
        _event(
            actor=actor,
            action=AuditAction.VIEW,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            client_id=client_id,
            detail={"what": what},
            break_glass=break_glass,
        )
        for client_id, obj in first_per_client.items()
    ]
    _append(events)


def _records(actor: User, records: Iterable[models.Model], *, action: str, detail: dict[str, Any]) -> None:
    """One audit event per record (each carrying the record's client_id, if any), written in a single insert."""
    events = [
        _event(
            actor=actor,
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            client_id=getattr(obj, "client_id", None),
            detail=detail,
            break_glass=False,
        )
        for obj in records
    ]
    if events:
        _append(events)


def records_created(actor: User, created: Iterable[models.Model], *, detail: dict[str, Any]) -> None:
    """One create audit event per record, in a single insert: for features that make many records at once (a
    cohort file's disclosures). Not break-glass: the feature has already checked the actor may do this."""
    _records(actor, created, action=AuditAction.CREATE, detail=detail)


def records_viewed(actor: User, shown: Iterable[models.Model], *, what: str) -> None:
    """One view audit event per record shown, in a single insert: for lists of records that may not be a
    client's yet (referrals before acceptance), where clients_viewed (one event per client) would miss them."""
    _records(actor, shown, action=AuditAction.VIEW, detail={"what": what})


def access_denied(
    actor: Any,
    object_type: str,
    object_id: str,
    *,
    client_id: uuid.UUID | None = None,
    break_glass: bool = False,
) -> AuditEvent:
    """A refused access: a page, record or API call the user asked for and was not allowed (404 or 403).

    `object_type`/`object_id` say what was asked for: a model label and id, or "path" and the request path
    (paths carry ids, never search text; query strings are not part of it). Call it where the refusal is
    turned into a response, outside any transaction that is about to roll back.
    """
    return audit_event_record(
        actor=_acting(actor),
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=str(object_id),
        client_id=client_id,
        break_glass=break_glass,
    )


# --- signing in and out -----------------------------------------------------------------------------------


def login_fingerprint(login: str) -> str:
    """A keyed hash of what was typed as the login: equal attempts can be grouped, the text never read back
    (people type passwords into the e-mail box)."""
    return salted_hmac("keyworker.audit.sign_in", login.strip().lower(), algorithm="sha256").hexdigest()[:32]


def sign_in_recorded(*, user: User) -> AuditEvent:
    return audit_event_record(actor=user, action=AuditAction.SIGN_IN, obj=user)


def sign_out_recorded(*, user: User | None) -> AuditEvent:
    if _acting(user) is None:
        return audit_event_record(actor=None, action=AuditAction.SIGN_OUT, object_type="accounts.user", object_id="")
    assert user is not None
    return audit_event_record(actor=user, action=AuditAction.SIGN_OUT, obj=user)


def sign_in_failed_recorded(*, login: str = "", user: User | None = None, stage: str = "password") -> AuditEvent:
    """A failed sign-in (`stage` "password"), or a wrong MFA code ("mfa", or "reauthentication" when a
    signed-in user re-confirms). Never the password; the login only as a keyed hash; the account's id when
    the login names one or the user is known (so failures against an account can be counted)."""
    if user is None and login:
        user = User.objects.filter(email__iexact=login.strip()).first()
    detail: dict[str, Any] = {"stage": stage}
    if login:
        detail["login_hmac"] = login_fingerprint(login)
    return audit_event_record(
        actor=user if stage == "reauthentication" else None,
        action=AuditAction.SIGN_IN_FAILED,
        object_type="accounts.user",
        object_id=str(user.pk) if user is not None else "",
        detail=detail,
    )


# --- the one sanctioned removal -----------------------------------------------------------------------------


@transaction.atomic
def audit_events_erase_for_demo(*, event_ids: Iterable[Any]) -> int:
    """Delete audit events about DEMO data (`keyworker demo --reset`), re-linking the chain after them.

    The only code path that removes events. It lifts the database's append-only triggers for its own
    transaction and re-links every later event, so `keyworker audit verify` still passes on a demo
    database. Never call it for real data: the log of real work is never deleted.
    """
    return chain.erase_and_relink(event_ids)
