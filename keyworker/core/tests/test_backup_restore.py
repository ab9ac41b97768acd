"""Encrypted backups and the restore drill (docs/decisions/0033-backups.md).

The drill runs on whichever database the test run uses (CI runs the suite on SQLite and on PostgreSQL): load
the demo, `keyworker backup`, `keyworker restore --into-url` a fresh database (SQLite: another file;
PostgreSQL: a new database on the test database's server, dropped afterwards), compare every table row for row
and check the restored audit log's hash chain. The number of rows compared is printed ("restore drill: ...").
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sqlite3
import stat
import uuid
from collections.abc import Iterator
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from keyworker.accounts.models import User
from keyworker.audit.chain import verify_chain
from keyworker.audit.services import clients_viewed
from keyworker.core import backup
from keyworker.core.backup import KEY_ENV, BackupError, decrypt_stream, encrypt_stream, new_key
from keyworker.core.demo import DEMO_DOMAIN, demo_load
from keyworker.people.models import Client

CLIENTS = 20  # the staged week and a small caseload: every kind of record, quickly
RESTORED = "drill_restored"


# --- the format ------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=5000), chunk=st.integers(min_value=1, max_value=700))
def test_encryption_round_trips_any_bytes_in_any_chunking(data: bytes, chunk: int) -> None:
    key = backup.parse_key(new_key())
    sealed = io.BytesIO()
    assert encrypt_stream(io.BytesIO(data), sealed, key=key, vendor="sqlite", chunk_size=chunk) == len(data)
    plain = io.BytesIO()
    header = decrypt_stream(io.BytesIO(sealed.getvalue()), plain, key=key)
    assert plain.getvalue() == data
    assert header.vendor == "sqlite"
    if len(data) >= 16:
        assert data not in sealed.getvalue()


def test_new_key_prints_a_usable_key() -> None:
    out = StringIO()
    call_command("backup", new_key=True, stdout=out)
    assert len(backup.parse_key(out.getvalue().strip())) == 32
    with pytest.raises(BackupError, match="not a key"):
        backup.parse_key("correct horse battery staple")


def test_backups_go_into_the_data_directory_by_default() -> None:
    when = dt.datetime(2026, 11, 27, 23, 5, 9, tzinfo=dt.UTC)
    assert backup.default_output(Path("/srv/kw"), when) == Path("/srv/kw/backups/keyworker-20261127T230509Z.kwbackup")


# --- refusals: a small SQLite backup restored over a file that must stay as it was -----------------------------


@pytest.fixture
def small_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, django_db_blocker
) -> Iterator[tuple[Path, Path, str]]:
    """An encrypted backup of a tiny SQLite database in chunks of 512 bytes, and a target file that a failed
    restore must leave byte for byte as it was."""
    key = new_key()
    source = tmp_path / "source.sqlite3"
    with sqlite3.connect(source) as db:
        db.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)")
        db.executemany("INSERT INTO note (body) VALUES (?)", [(f"Visit note {n} for Ada Okafor",) for n in range(200)])
    db.close()
    path = tmp_path / "small.kwbackup"
    with source.open("rb") as plain, path.open("wb") as out:
        encrypt_stream(plain, out, key=backup.parse_key(key), vendor="sqlite", chunk_size=512)
    target = tmp_path / "target.sqlite3"
    with sqlite3.connect(target) as db:
        db.execute("CREATE TABLE marker (what TEXT)")
        db.execute("INSERT INTO marker VALUES ('the database before the restore')")
    db.close()
    monkeypatch.setenv(KEY_ENV, key)
    with django_db_blocker.unblock():  # restore opens the target file through Django to check its audit log
        yield path, target, key


def _restore(path: Path, target: Path) -> str:
    out = StringIO()
    call_command("restore", str(path), into_url=f"sqlite:///{target}", yes=True, stdout=out)
    return out.getvalue()


def _tables(target: Path) -> list[str]:
    with sqlite3.connect(target) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY 1")]
    db.close()
    return tables


def test_the_small_backup_restores(small_backup) -> None:
    path, target, _ = small_backup
    assert b"Ada Okafor" not in path.read_bytes()
    with pytest.raises(CommandError, match="has no audit log"):  # restored, then checked: not Keyworker's
        _restore(path, target)
    assert _tables(target) == ["note"]
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT count(*) FROM note").fetchone()[0] == 200
    db.close()


def test_a_wrong_key_is_refused_and_nothing_is_restored(small_backup, monkeypatch) -> None:
    path, target, _ = small_backup
    before = target.read_bytes()
    monkeypatch.setenv(KEY_ENV, new_key())
    with pytest.raises(CommandError, match="made with a different key"):
        _restore(path, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["small.kwbackup", "source.sqlite3", "target.sqlite3"]


def test_a_missing_key_is_refused(small_backup, monkeypatch, tmp_path) -> None:
    path, target, _ = small_backup
    before = target.read_bytes()
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(CommandError, match="KEYWORKER_BACKUP_KEY is not set"):
        _restore(path, target)
    assert target.read_bytes() == before
    output = tmp_path / "out" / "never.kwbackup"
    with pytest.raises(CommandError, match="KEYWORKER_BACKUP_KEY is not set"):
        call_command("backup", output=output)
    assert not output.parent.exists()  # nothing written, not even an unencrypted file


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[:2000] + bytes([b[2000] ^ 1]) + b[2001:], id="a byte in the middle"),
        pytest.param(lambda b: b[:-1] + bytes([b[-1] ^ 0x80]), id="the last byte"),
        pytest.param(lambda b: b[:25] + bytes([b[25] ^ 1]) + b[26:], id="the header's salt"),
        pytest.param(lambda b: b[:10] + b"sqlitf" + b[16:], id="the header's vendor"),
        pytest.param(lambda b: b[:-530], id="the last chunk cut off"),
        pytest.param(lambda b: b + b"\x00\x00\x00\x10" + bytes(16), id="a chunk added"),
    ],
)
def test_a_tampered_backup_is_refused_and_nothing_is_restored(small_backup, damage) -> None:
    path, target, _ = small_backup
    path.write_bytes(damage(path.read_bytes()))
    before = target.read_bytes()
    with pytest.raises(CommandError, match=r"damaged|altered|cut off|not a Keyworker backup"):
        _restore(path, target)
    assert target.read_bytes() == before
    assert _tables(target) == ["marker"]


def test_a_backup_of_one_kind_of_database_is_not_restored_into_another(small_backup) -> None:
    path, _, _ = small_backup
    with pytest.raises(CommandError, match="backup of a sqlite database; the database to restore into is postgres"):
        call_command("restore", str(path), into_url="postgres://nobody@127.0.0.1:1/nothing", yes=True)


def test_an_unknown_database_url_is_refused(small_backup) -> None:
    path, target, _ = small_backup
    with pytest.raises(CommandError, match="not a database URL"):
        call_command("restore", str(path), into_url="ftp://example.org/db", yes=True)
    assert _tables(target) == ["marker"]


def test_restore_into_an_open_sqlite_database_is_refused(small_backup) -> None:
    path, target, _ = small_backup
    writer = sqlite3.connect(target)
    try:
        writer.execute("PRAGMA journal_mode=WAL")
        writer.execute("INSERT INTO marker VALUES ('written by a running app')")
        writer.commit()
        with pytest.raises(CommandError, match="still has the database open"):
            _restore(path, target)
    finally:
        writer.close()


def test_restore_asks_before_replacing_the_database(small_backup) -> None:
    path, target, _ = small_backup
    with pytest.raises(CommandError, match="Add --yes"):
        call_command("restore", str(path), into_url=f"sqlite:///{target}")  # stdin is not a terminal in tests
    assert _tables(target) == ["marker"]


# --- the restore drill ----------------------------------------------------------------------------------------


def _url(settings_dict: dict[str, object], name: str) -> str:
    user = quote(str(settings_dict.get("USER") or ""))
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{quote(str(password))}" if password else user
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{name}"


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """An empty database of the test run's kind: its URL, and a Django connection RESTORED to it afterwards."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield f"sqlite:///{path}", {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
        _forget(RESTORED)
        return
    name = f"kw_drill_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _url(connection.settings_dict, name), {**connection.settings_dict, "NAME": name, "CONN_MAX_AGE": 0}
    finally:
        _forget(RESTORED)
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _forget(alias: str) -> None:
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
        del connections.settings[alias]


def _connect(alias: str, settings_dict: dict[str, object]) -> None:
    configured = connections.configure_settings({"default": connections.settings["default"], alias: settings_dict})
    connections.settings[alias] = configured[alias]
    connections[alias].connect()  # Django's test case allows an alias added during the test once it is open


def compare_databases(original: str, restored: str) -> tuple[int, int]:
    """Every table, row for row, every column, ordered by primary key: (tables, rows) compared."""
    ours, theirs = connections[original], connections[restored]
    with ours.cursor() as a, theirs.cursor() as b:
        tables = sorted(ours.introspection.table_names(a))
        assert sorted(theirs.introspection.table_names(b)) == tables
        rows = 0
        for table in tables:
            columns = [c.name for c in ours.introspection.get_table_description(a, table)]
            assert [c.name for c in theirs.introspection.get_table_description(b, table)] == columns, table
            key = ours.introspection.get_primary_key_columns(a, table) or columns
            order = ", ".join(ours.ops.quote_name(c) for c in key)
            select = ", ".join(ours.ops.quote_name(c) for c in columns)
            sql = f"SELECT {select} FROM {ours.ops.quote_name(table)} ORDER BY {order}"  # noqa: S608 (quoted names)
            a.execute(sql)
            b.execute(sql)
            while True:
                left, right = a.fetchmany(2000), b.fetchmany(2000)
                assert left == right, f"{table} differs after {rows} rows"
                if not left:
                    break
                rows += len(left)
        if ours.vendor == "postgresql":  # the next ids carry on where the original's would
            sequences = "SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2"
            a.execute(sequences)
            b.execute(sequences)
            assert a.fetchall() == b.fetchall()
    return len(tables), rows


@pytest.mark.django_db(transaction=True)  # committed rows: pg_dump reads them from another session
def test_restore_drill(tmp_path, monkeypatch, fresh_database, capsys, record_property) -> None:
    demo_load(clients=CLIENTS)
    clients = list(Client.objects.order_by("pk"))
    assert len(clients) >= CLIENTS
    with transaction.atomic():  # a longer audit chain: each demo worker reads every client once
        for worker in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").order_by("email")[:5]:
            clients_viewed(worker, [(c.pk, c) for c in clients], what="restore drill")
    monkeypatch.setenv(KEY_ENV, new_key())

    path = tmp_path / "backups" / "drill.kwbackup"
    out = StringIO()
    call_command("backup", output=path, stdout=out)
    assert f"Backed up the {connection.vendor} database" in out.getvalue()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["drill.kwbackup"]  # no partial file left behind
    sealed = path.read_bytes()
    with pytest.raises(CommandError, match="exists already"):  # a backup never overwrites another
        call_command("backup", output=path)
    assert path.read_bytes() == sealed
    assert clients[0].last_name and clients[0].last_name.encode() not in sealed
    assert b"SQLite format 3" not in sealed and b"PGDMP" not in sealed  # neither dump is in the clear

    url, settings_dict = fresh_database
    out = StringIO()
    call_command("restore", str(path), into_url=url, yes=True, stdout=out)
    assert "Restored the" in out.getvalue()
    original = verify_chain()
    assert original.ok and original.count > 0
    assert f"audit log verified: {original.count} events" in out.getvalue()

    _connect(RESTORED, settings_dict)
    tables, rows = compare_databases("default", RESTORED)
    restored = verify_chain(using=RESTORED)
    assert restored.ok
    assert (restored.count, restored.head_hash) == (original.count, original.head_hash)
    assert rows > 1000

    figure = (
        f"restore drill ({connection.vendor}): {rows:,} rows in {tables} tables compared, audit log of "
        f"{restored.count:,} events verified"
    )
    record_property("restore_drill_rows_compared", rows)
    with capsys.disabled():
        print(f"\n{figure}")
