"""Write synthetic rows fast: PostgreSQL COPY (psycopg 3's `cursor.copy()`), SQLite `executemany` in big
transactions. Never the ORM one row at a time. See docs/decisions/0029-synthetic-data.md."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db import connections, models, transaction
from django.db.models import NOT_PROVIDED

BATCH = 10_000


@dataclass(frozen=True)
class Loaded:
    table: str
    rows: int
    seconds: float


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _default(f: models.Field) -> Any:
    # What the ORM would write for a field left out ("" for a blank CharField, the default otherwise).
    return None if f.null and f.default is NOT_PROVIDED else f.get_default()


def _json(value: Any) -> Any:
    return None if value is None else json.dumps(value)


def _ip(value: Any) -> Any:
    return ipaddress.ip_address(value) if value else None


def _sqlite_uuid(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _sqlite_datetime(value: Any) -> Any:
    # What Django stores on SQLite (USE_TZ): naive UTC, "YYYY-MM-DD HH:MM:SS[.ffffff]".
    if isinstance(value, dt.datetime):
        return str(value.astimezone(dt.UTC).replace(tzinfo=None))
    return value


def _sqlite_date(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def _converter(f: models.Field, vendor: str) -> Callable[[Any], Any] | None:
    target = f.target_field if f.is_relation else f  # type: ignore[attr-defined]
    if vendor == "postgresql":
        # Binary COPY: psycopg's jsonb dumper takes the Python value, its inet dumper an ip_address.
        return _ip if isinstance(target, models.GenericIPAddressField) else None
    if isinstance(target, models.JSONField):
        return _json
    if isinstance(target, models.UUIDField):
        return _sqlite_uuid
    if isinstance(target, models.DateTimeField):
        return _sqlite_datetime
    if isinstance(target, models.DateField):
        return _sqlite_date
    return None


def _tuples(model: type[models.Model], rows: Iterable[dict[str, Any]], vendor: str) -> Iterator[tuple[Any, ...]]:
    fields = _columns(model)
    names = [f.attname for f in fields]
    defaults = [_default(f) for f in fields]
    convert = [(i, c) for i, f in enumerate(fields) if (c := _converter(f, vendor)) is not None]
    for row in rows:
        values = [row.get(n, d) for n, d in zip(names, defaults, strict=True)]
        for i, c in convert:
            values[i] = c(values[i])
        yield tuple(values)


def load_table(
    model: type[models.Model], rows: Iterable[dict[str, Any]], *, using: str, report: Callable[[int], None]
) -> int:
    """Write `rows` into `model`'s table; call `report(count so far)` now and then. Inside a transaction."""
    connection = connections[using]
    table = model._meta.db_table
    fields = _columns(model)
    quoted = ", ".join(connection.ops.quote_name(str(f.column)) for f in fields)
    count = 0
    tuples = _tuples(model, rows, connection.vendor)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg's own cursor under Django's wrapper
            # Binary COPY with the columns' own types: no text parsing on the server, no dumper lookup per value.
            cursor.execute(
                "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [table],
            )
            oids = dict(cursor.fetchall())
            statement = f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN (FORMAT BINARY)"
            with raw.copy(statement) as copy:
                copy.set_types([oids[f.column] for f in fields])
                for values in tuples:
                    copy.write_row(values)
                    count += 1
                    if count % 100_000 == 0:
                        report(count)
    else:
        marks = ", ".join("?" for _ in fields)
        # Table and column names come from the models, never from input.
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})"  # noqa: S608
        connection.ensure_connection()
        raw_connection = connection.connection
        while batch := list(islice(tuples, BATCH)):
            raw_connection.executemany(sql, batch)
            count += len(batch)
            if count % 100_000 < BATCH and count >= 100_000:
                report(count)
    return count


def load_all(
    tables: Iterable[tuple[type[models.Model], Iterable[dict[str, Any]]]],
    *,
    using: str,
    progress: Callable[[str], None],
) -> list[Loaded]:
    """Load every table in order, in one transaction (all or nothing), then refresh the planner's statistics.

    On PostgreSQL the loaded tables' plain indexes (not those behind a primary key or unique constraint) are
    dropped and built again at the end from their own definitions (pg_indexes), which is faster than updating
    them row by row; and their foreign keys are dropped first and put back, exactly as they were (their
    definitions read from pg_constraint), at the end: one validating join per key instead of a deferred
    trigger per row at commit. Putting them back checks every row, so nothing goes in unchecked.
    """
    done: list[Loaded] = []
    tables = list(tables)
    with transaction.atomic(using=using):
        postgres = connections[using].vendor == "postgresql"
        loading = [m for m, _rows in tables]
        keys = _drop_foreign_keys(loading, using) if postgres else []
        indexes = _drop_plain_indexes(loading, using) if postgres else []
        if postgres:  # room to sort in memory when the indexes are built again (this transaction only)
            with connections[using].cursor() as cursor:
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for model, rows in tables:
            label = model._meta.label
            started = time.monotonic()

            def report(count: int, label: str = label) -> None:
                progress(f"  {label}: {count:,}")

            n = load_table(model, rows, using=using, report=report)
            seconds = time.monotonic() - started
            done.append(Loaded(label, n, seconds))
            rate = f" ({n / seconds:,.0f} rows/s)" if seconds > 0 else ""
            progress(f"{label}: {n:,} rows in {seconds:.1f}s{rate}")
        if indexes:
            started = time.monotonic()
            with connections[using].cursor() as cursor:
                for definition in indexes:
                    cursor.execute(definition)
            progress(f"Indexes rebuilt ({len(indexes)}): {time.monotonic() - started:.1f}s")
        if keys:
            started = time.monotonic()
            _restore_foreign_keys(keys, using)
            progress(f"Foreign keys checked and restored ({len(keys)}): {time.monotonic() - started:.1f}s")
    started = time.monotonic()
    with connections[using].cursor() as cursor:
        cursor.execute("ANALYZE")
    progress(f"ANALYZE: {time.monotonic() - started:.1f}s")
    return done


def _drop_foreign_keys(models_: list[type[models.Model]], using: str) -> list[tuple[str, str, str]]:
    """Drop the foreign keys of these tables; return (table, name, definition) to put them back."""
    tables = [m._meta.db_table for m in models_]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [tables],
        )
        keys = [(str(t), str(n), str(d)) for t, n, d in cursor.fetchall()]
        # ALTER TABLE refuses while deferred checks on the table are pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name, _definition in keys:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return keys


def _restore_foreign_keys(keys: list[tuple[str, str, str]], using: str) -> None:
    with connections[using].cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _drop_plain_indexes(models_: list[type[models.Model]], using: str) -> list[str]:
    """Drop the indexes of these tables that back no constraint; return their CREATE INDEX statements."""
    tables = [m._meta.db_table for m in models_]
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS"
            " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
            [tables],
        )
        found = [(str(name), str(definition)) for name, definition in cursor.fetchall()]
        for name, _definition in found:
            cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in found]
