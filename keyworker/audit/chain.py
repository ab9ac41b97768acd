"""The hash chain that makes the audit log tamper-evident, and the database's append-only triggers.

Each event's `hash` is SHA-256 over a canonical JSON of its fields, `previous_hash` (the hash of the event
before it in `sequence` order) included, so changing, removing or inserting an event breaks the chain from
that point on. `verify_chain()` walks it; `keyworker audit verify` reports what it finds.

A plain hash chain proves the log was not edited by someone who could not also recompute every later hash;
it does not stop the owner of the database from rewriting the whole tail. Record the head that
`keyworker audit verify` prints somewhere else now and then, and check it later with `--expect`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.ipv6 import clean_ipv6_address

from keyworker.audit.models import GENESIS_HASH, AuditEvent

CANONICAL_VERSION = 1
# pg_advisory_xact_lock key that serialises writers of the chain ("KWAUDIT" in ASCII).
CHAIN_LOCK_KEY = 0x4B5741554449_54
TABLE = "audit_auditevent"
PG_TRIGGERS = ("audit_auditevent_append_only", "audit_auditevent_no_truncate")
SQLITE_TRIGGERS = ("audit_auditevent_no_update", "audit_auditevent_no_delete")


# --- hashing ----------------------------------------------------------------------------------------------


def _uuid_text(value: Any) -> str | None:
    return None if value is None else str(uuid.UUID(str(value)))


def normalise_ip(value: str | None) -> str | None:
    """An address as the database gives it back (IPv6 compressed, lower case)."""
    if not value:
        return None
    return clean_ipv6_address(value) if ":" in value else value


def _utc_text(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def canonical(event: Any) -> bytes:
    """The bytes an event's hash is taken over: every recorded field, `previous_hash` included.

    Works on AuditEvent instances and on the historical model migrations use.
    """
    fields = {
        "v": CANONICAL_VERSION,
        "sequence": int(event.sequence),
        "id": _uuid_text(event.id),
        "occurred_at": _utc_text(event.occurred_at),
        "actor_id": _uuid_text(event.actor_id),
        "actor_role": event.actor_role or "",
        "action": str(event.action),
        "object_type": event.object_type,
        "object_id": event.object_id,
        "client_id": _uuid_text(event.client_id),
        "break_glass": bool(event.break_glass),
        "source_ip": normalise_ip(event.source_ip),
        "user_agent": event.user_agent or "",
        "detail": event.detail if event.detail is not None else {},
        "previous_hash": event.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(event: Any) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


# --- appending --------------------------------------------------------------------------------------------


def lock_chain(using: str = DEFAULT_DB_ALIAS) -> None:
    """Serialise writers of the chain until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: nothing to do, every transaction here is
    BEGIN IMMEDIATE (settings), so a writer already holds the database's write lock.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("The audit chain can only be extended inside a transaction.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_head(using: str = DEFAULT_DB_ALIAS) -> tuple[int, str]:
    """The last event's sequence and hash (0 and the genesis hash for an empty log). Lock first."""
    last = AuditEvent._base_manager.using(using).order_by("-sequence").values_list("sequence", "hash").first()
    return last if last is not None else (0, GENESIS_HASH)


def link(events: Iterable[AuditEvent], head: tuple[int, str]) -> tuple[int, str]:
    """Give each (unsaved) event its place after `head`: sequence, previous_hash and hash."""
    sequence, previous = head
    for event in events:
        sequence += 1
        event.sequence = sequence
        event.source_ip = normalise_ip(event.source_ip)
        event.previous_hash = previous
        event.hash = previous = event_hash(event)
    return sequence, previous


# --- checking ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    ok: bool
    count: int
    head_sequence: int = 0
    head_hash: str = GENESIS_HASH
    problem: str = ""
    event_id: str = ""
    sequence: int | None = None


def verify_chain(*, using: str = DEFAULT_DB_ALIAS, chunk_size: int = 2000) -> Verdict:
    """Walk every event in sequence order and recompute its hash; stop at the first problem."""
    expected, previous_hash, count = 1, GENESIS_HASH, 0
    events = AuditEvent._base_manager.using(using).order_by("sequence").iterator(chunk_size=chunk_size)
    for event in events:
        where = f"event #{event.sequence} (id {event.pk})"
        if event.sequence != expected:
            missing = f"#{expected}" if event.sequence == expected + 1 else f"#{expected} to #{event.sequence - 1}"
            return Verdict(
                False,
                count,
                expected - 1,
                previous_hash,
                f"removed: event {missing} missing before {where}",
                str(event.pk),
                event.sequence,
            )
        if event.previous_hash != previous_hash:
            return Verdict(
                False,
                count,
                expected - 1,
                previous_hash,
                f"broken link: {where} does not follow event #{expected - 1} "
                f"(an event was removed or inserted here, or #{expected - 1} was rewritten)",
                str(event.pk),
                event.sequence,
            )
        if event_hash(event) != event.hash:
            return Verdict(
                False,
                count,
                expected - 1,
                previous_hash,
                f"altered: {where} no longer matches its hash",
                str(event.pk),
                event.sequence,
            )
        count, expected, previous_hash = count + 1, expected + 1, event.hash
    return Verdict(True, count, expected - 1, previous_hash)


def hash_at(sequence: int, using: str = DEFAULT_DB_ALIAS) -> str | None:
    return AuditEvent._base_manager.using(using).filter(sequence=sequence).values_list("hash", flat=True).first()


# --- the database's append-only rule -----------------------------------------------------------------------


def installed_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Names of the append-only triggers present on the audit table."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger"
                " WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


@contextlib.contextmanager
def append_only_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Lift the database's append-only triggers for the current transaction only.

    For the two sanctioned ways of removing events: deleting the demo (which re-links what remains) and
    `flush` (which empties every table). The triggers come back before the transaction commits; if
    anything fails the whole transaction, trigger changes included, rolls back.
    """
    connection = connections[using]
    with transaction.atomic(using=using):
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
                saved = [(name, sql) for name, sql in cursor.fetchall() if name in SQLITE_TRIGGERS]
                for name, _sql in saved:
                    cursor.execute(f'DROP TRIGGER "{name}"')
            elif connection.vendor == "postgresql":
                present = [name for name in PG_TRIGGERS if name in installed_triggers(using)]
                # ALTER TABLE refuses while deferred foreign-key checks on the table are pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for name in present:
                    cursor.execute(f'ALTER TABLE "{TABLE}" DISABLE TRIGGER "{name}"')
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                for _name, sql in saved:
                    cursor.execute(sql)
            elif connection.vendor == "postgresql":
                for name in present:
                    cursor.execute(f'ALTER TABLE "{TABLE}" ENABLE TRIGGER "{name}"')
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def erase_and_relink(event_ids: Iterable[Any], using: str = DEFAULT_DB_ALIAS) -> int:
    """Delete the given events and re-link every later one so the chain stays whole. Demo data only.

    Call inside a transaction. Returns how many events were deleted.
    """
    ids = list(event_ids)
    if not ids:
        return 0
    connection = connections[using]
    manager = AuditEvent._base_manager.using(using)
    with append_only_suspended(using):
        lock_chain(using)
        first = manager.filter(pk__in=ids).order_by("sequence").values_list("sequence", flat=True).first()
        if first is None:
            return 0
        deleted = 0
        for start in range(0, len(ids), 500):
            deleted += manager.filter(pk__in=ids[start : start + 500])._raw_delete(using)
        head = manager.filter(sequence__lt=first).order_by("-sequence").values_list("sequence", "hash").first()
        later = list(manager.filter(sequence__gt=first).order_by("sequence"))
        link(later, head or (0, GENESIS_HASH))
        with connection.cursor() as cursor:
            cursor.executemany(
                'UPDATE "audit_auditevent" SET "sequence" = %s, "previous_hash" = %s, "hash" = %s WHERE "id" = %s',
                [
                    (e.sequence, e.previous_hash, e.hash, AuditEvent._meta.pk.get_db_prep_value(e.pk, connection))
                    for e in later
                ],
            )
    return deleted
