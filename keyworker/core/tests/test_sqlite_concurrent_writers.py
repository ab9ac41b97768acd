"""Eight OS processes write to one SQLite file at once, through the real service, with the project's settings
(docs/decisions/0002: BEGIN IMMEDIATE, a 20 s busy timeout, WAL): every write commits, none meets "database is
locked", and the audit hash chain (every write appends to it under its lock) verifies. docs/decisions/0035.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from keyworker.core.testing import Personas
from keyworker.core.tests import faultkit

PROCESSES = 8
WRITER = [sys.executable, "-m", "keyworker.core.tests.faultkit", "write"]
WRITES_EACH = int(os.environ.get("KEYWORKER_FAULT_WRITES", "100"))


@pytest.fixture
def workdir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="kw-fault-writers-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.django_db(transaction=True)
def test_eight_processes_write_one_sqlite_file(personas: Personas, workdir: Path) -> None:
    if faultkit.on_postgresql():
        pytest.skip("SQLite's single-writer locking is what is tested; PostgreSQL has row locks and MVCC")
    you = personas.you
    clients = [personas.client_of(you) for _ in range(PROCESSES)]
    db_file = workdir / "keyworker.sqlite3"
    faultkit.copy_test_database(sqlite_file=db_file)
    env = faultkit.server_env(workdir, sqlite_file=db_file)
    go = workdir / "go"
    writers: list[subprocess.Popen[str]] = []
    try:
        for client in clients:
            writers.append(
                subprocess.Popen(
                    [*WRITER, you.email, str(client.pk), str(WRITES_EACH), str(go)],
                    env=env,
                    cwd=faultkit.PROJECT_DIR,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        for writer in writers:  # all eight set up (Django loaded, actor read) before any writes
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "ready", writer.stderr.read() if writer.stderr else ""
        started = time.monotonic()
        go.touch()
        results = []
        for writer in writers:
            out, err = writer.communicate(timeout=120)
            assert writer.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        seconds = time.monotonic() - started
    finally:
        for writer in writers:
            if writer.poll() is None:
                writer.kill()
                writer.wait(timeout=10)
    committed = sum(r["done"] for r in results)
    locked = sum(r["locked"] for r in results)
    errors = [e for r in results for e in r["errors"]]
    assert faultkit.sqlite_integrity_check(db_file) == "ok"
    check = faultkit.check_integrity(env, [], workdir)
    print(
        f"\nFAULTS SQLite writers: {PROCESSES} processes x {WRITES_EACH} writes: {committed} committed in "
        f"{seconds:.1f}s, {locked} 'database is locked'; {check.contacts} contacts checked, each with its audit "
        f"event; {check.audit_events} audit events, chain verified={check.audit_ok}."
    )
    assert errors == []
    assert locked == 0
    assert committed == PROCESSES * WRITES_EACH
    assert check.contacts == PROCESSES * WRITES_EACH
    assert check.contacts_without_event == [] and check.events_without_contact == []
    assert check.audit_ok, check.audit_problem
