"""Reports and search read from a streaming replica; writes go to the primary; a writer reads their own writes
(docs/decisions/0032-read-replica.md).

Starts its own PostgreSQL primary and a streaming replica of it (pg_basebackup -R) on free loopback ports,
as the postgres user like .ci/run, and points two extra Django connections at them. Needs PostgreSQL's
server programs and root (to run them as the postgres user); skipped otherwise. Stops both servers and
removes their files even when a check fails.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import DatabaseError, connections, router
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from keyworker.core.db_router import (
    STICKY_COOKIE,
    ReplicaMiddleware,
    ReplicaRouter,
    primary_reads,
    replica_reads,
)
from keyworker.core.tests import faultkit
from keyworker.funding.models import Funder

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PRIMARY, REPLICA = "kw_test_primary", "kw_test_replica"


def _start(data: Path, port: int, sockets: Path, log: Path) -> None:
    faultkit.as_postgres(
        str(PG_BIN / "pg_ctl"),
        "-D",
        str(data),
        "-o",
        f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off",
        "-l",
        str(log),
        "-w",
        "-t",
        "30",
        "start",
    )


def _stop(data: Path) -> None:
    if (data / "postmaster.pid").exists():
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
        )


def _database(port: int) -> dict[str, object]:
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "keyworker",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }


@pytest.fixture(scope="module")
def pair(django_db_blocker) -> Iterator[None]:
    """A primary and its streaming replica, with Django connections PRIMARY and REPLICA to them."""
    faultkit.require_private_postgres("pg_basebackup")
    primary_port, replica_port = faultkit.free_port(), faultkit.free_port()
    while replica_port == primary_port:
        replica_port = faultkit.free_port()
    root = Path(tempfile.mkdtemp(prefix="kw-replica-"))
    primary_dir, replica_dir = root / "primary", root / "replica"
    try:
        shutil.chown(root, "postgres")
        faultkit.as_postgres(str(PG_BIN / "initdb"), "-D", str(primary_dir), "-A", "trust", "-U", "keyworker")
        _start(primary_dir, primary_port, root, root / "primary.log")
        faultkit.as_postgres(
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "keyworker",
            "-D",
            str(replica_dir),
            "-R",  # writes standby.signal and primary_conninfo: the copy starts as a streaming replica
            "-X",
            "stream",
        )
        _start(replica_dir, replica_port, root, root / "replica.log")
        configured = connections.configure_settings(
            {
                "default": connections.settings["default"],
                PRIMARY: _database(primary_port),
                REPLICA: _database(replica_port),
            }
        )
        connections.settings[PRIMARY] = configured[PRIMARY]
        connections.settings[REPLICA] = configured[REPLICA]
        with django_db_blocker.unblock():
            with connections[PRIMARY].schema_editor() as editor:
                editor.create_model(Funder)
            yield
    finally:
        for alias in (PRIMARY, REPLICA):
            if alias in connections.settings:
                connections[alias].close()
                del connections[alias]
                del connections.settings[alias]
        _stop(replica_dir)
        _stop(primary_dir)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def routed(pair, monkeypatch, django_db_blocker) -> Iterator[None]:
    """The project's router, pointed at the test pair."""
    monkeypatch.setattr(router, "routers", [ReplicaRouter(primary=PRIMARY, replica=REPLICA)])
    with django_db_blocker.unblock():
        yield


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])


def _wait_until_replayed(name: str) -> None:
    """Until the replica has replayed the primary's write of `name` (streaming lag; normally milliseconds)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if Funder.objects.using(REPLICA).filter(name=name).exists():
                return
        except DatabaseError:  # the table itself not replayed yet
            pass
        time.sleep(0.05)
    raise AssertionError("the replica did not receive the write within 20 seconds")


def _alias_that_ran(queryset_call) -> str:
    """Which of the two connections actually ran the query (both are watched)."""
    with (
        CaptureQueriesContext(connections[PRIMARY]) as on_primary,
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
    ):
        queryset_call()
    assert len(on_primary) + len(on_replica) == 1
    return PRIMARY if on_primary else REPLICA


def test_the_pair_is_a_primary_and_a_replica(routed):
    assert _in_recovery(PRIMARY) is False
    assert _in_recovery(REPLICA) is True


def test_a_report_read_is_served_by_the_replica_and_a_write_goes_to_the_primary(routed):
    with replica_reads():
        Funder.objects.create(name="Northside Trust")  # a write, even inside a report: the primary
        assert router.db_for_write(Funder) == PRIMARY
        _wait_until_replayed("Northside Trust")
        assert router.db_for_read(Funder) == REPLICA
        assert _in_recovery(router.db_for_read(Funder)) is True
        assert _alias_that_ran(lambda: list(Funder.objects.filter(name="Northside Trust"))) == REPLICA
    assert Funder.objects.using(PRIMARY).filter(name="Northside Trust").count() == 1


def test_ordinary_reads_and_reads_in_a_transaction_stay_on_the_primary(routed):
    from django.db import transaction

    assert _alias_that_ran(lambda: list(Funder.objects.all())) == PRIMARY  # not a report: never the replica
    with replica_reads(), transaction.atomic(using=PRIMARY):
        assert router.db_for_read(Funder) == PRIMARY  # a transaction sees its own uncommitted writes
    with replica_reads(), primary_reads():
        assert router.db_for_read(Funder) == PRIMARY


def test_after_a_write_the_same_users_next_read_goes_to_the_primary(routed):
    """Through the real middleware: a report GET reads the replica; a POST writes the primary and pins the
    browser by a signed cookie; the same browser's next report GET reads the primary; another does not."""
    served: list[str] = []

    def view(request: HttpRequest) -> HttpResponse:
        if request.method == "POST":
            Funder.objects.create(name="Eastgate Foundation")
        with replica_reads():  # what a report or search view does (REPLICA_VIEWS)
            served.append(Funder.objects.filter(name="Eastgate Foundation").db)
            served[-1] += ":recovery" if _in_recovery(served[-1]) else ":primary"
        return HttpResponse("ok")

    middleware = ReplicaMiddleware(view)
    factory = RequestFactory()

    assert STICKY_COOKIE not in middleware(factory.get("/report")).cookies
    written = middleware(factory.post("/report"))
    assert STICKY_COOKIE in written.cookies
    cookie = written.cookies[STICKY_COOKIE].value
    _wait_until_replayed("Eastgate Foundation")

    pinned_request = factory.get("/report")
    pinned_request.COOKIES[STICKY_COOKIE] = cookie
    middleware(pinned_request)
    forged = factory.get("/report")
    forged.COOKIES[STICKY_COOKIE] = cookie + "x"  # a tampered cookie pins nothing
    middleware(forged)
    middleware(factory.get("/report"))  # another user, no cookie

    assert served == [
        f"{REPLICA}:recovery",
        f"{PRIMARY}:primary",  # the writer, in the request that wrote
        f"{PRIMARY}:primary",  # the writer, next request
        f"{REPLICA}:recovery",
        f"{REPLICA}:recovery",
    ]


def test_without_a_replica_the_router_answers_default():
    plain = ReplicaRouter()
    assert "replica" not in connections.settings
    with replica_reads():
        assert plain.db_for_read(Funder) == "default"
    assert plain.db_for_write(Funder) == "default"
    assert plain.allow_migrate("default", "funding") is None


def test_without_a_replica_the_middleware_is_not_installed(settings):
    assert "replica" not in settings.DATABASES
    assert "keyworker.core.db_router.ReplicaMiddleware" not in settings.MIDDLEWARE


def test_every_replica_view_is_a_real_route():
    """A renamed report or search view must not silently fall back to the primary."""
    from django.urls import reverse

    from keyworker.core.db_router import REPLICA_VIEWS

    for name in REPLICA_VIEWS:
        assert reverse(name)
