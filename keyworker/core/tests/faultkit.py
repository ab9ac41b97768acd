"""Shared machinery for the fault tests (docs/decisions/0035-faults.md): a private PostgreSQL that can be stopped
hard, a copy of the test database for an app server to use, gunicorn in its own process group (so the whole
server can be SIGKILLed), a tiny API client, and the checks that nothing acknowledged was lost and nothing was
half-written. Every subprocess has a timeout; every server is stopped in a `finally`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PROJECT_DIR = Path(__file__).resolve().parents[3]
CONTACT_TYPE = "casework.contact"


def free_port() -> int:
    """A loopback port nobody listens on now: CI runs its SQLite and PostgreSQL suites side by side, so fixed
    ports would collide."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def on_postgresql() -> bool:
    return bool(connections["default"].vendor == "postgresql")


def private_postgres_why_not(*programs: str) -> str | None:
    for program in ("initdb", "pg_ctl", "pg_dump", "psql", *programs):
        if not (PG_BIN / program).exists() and shutil.which(program) is None:
            return f"PostgreSQL's {program} is not installed"
    if os.geteuid() != 0:
        return "starting a private PostgreSQL needs root (to run it as the postgres user)"
    if shutil.which("runuser") is None:
        return "runuser is not available"
    return None


def require_private_postgres(*programs: str) -> None:
    """Skip where a private PostgreSQL cannot be started (a developer's machine without PostgreSQL or root).
    In CI (CI set, as .ci/run does) that is a failure instead: these tests must run there, never skip silently."""
    why_not = private_postgres_why_not(*programs)
    if why_not:
        if os.environ.get("CI"):
            pytest.fail(f"{why_not}: CI must run this test")
        pytest.skip(why_not)


def _pg_program(name: str) -> str:
    return str(PG_BIN / name) if (PG_BIN / name).exists() else str(shutil.which(name))


def as_postgres(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["runuser", "-u", "postgres", "--", *args], check=True, capture_output=True, timeout=timeout)


class PrivatePostgres:
    """initdb on a free loopback port, as the postgres user (like test_replica.py). stop() is `-m immediate`:
    the server dies as if the machine lost power, with no checkpoint; start() brings it back (crash recovery)."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="kw-fault-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        shutil.chown(self.root, "postgres")
        as_postgres(_pg_program("initdb"), "-D", str(self.data), "-A", "trust", "-U", "keyworker")

    @property
    def url(self) -> str:
        return f"postgres://keyworker@127.0.0.1:{self.port}/postgres"

    def settings_dict(self) -> dict[str, Any]:
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "postgres",
            "USER": "keyworker",
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
        }

    def start(self) -> None:
        as_postgres(
            _pg_program("pg_ctl"), "-D", str(self.data),
            "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1",
            "-l", str(self.root / "pg.log"), "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", _pg_program("pg_ctl"), "-D", str(self.data), "-m", "immediate",
                 "-w", "-t", "30", "stop"],
                capture_output=True,
                timeout=60,
            )  # fmt: skip

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


def copy_test_database(*, sqlite_file: Path | None = None, postgres: PrivatePostgres | None = None) -> None:
    """Copy the test run's database (schema, migrations' rows and what the test committed) for a server.

    SQLite: the online backup API, from the test connection into a file (a migrate would take 15 s here).
    PostgreSQL: pg_dump of the test database piped into the private server's `postgres` database.
    """
    default = connections["default"]
    default.ensure_connection()
    if sqlite_file is not None:
        assert default.vendor == "sqlite"
        target = sqlite3.connect(sqlite_file)
        try:
            default.connection.backup(target)
        finally:
            target.close()
        return
    assert postgres is not None and default.vendor == "postgresql"
    source = default.settings_dict
    env = {**os.environ, "PGPASSWORD": str(source.get("PASSWORD") or "")}
    dump = subprocess.run(
        [_pg_program("pg_dump"), "-h", str(source["HOST"] or "127.0.0.1"), "-p", str(source["PORT"] or 5432),
         "-U", str(source["USER"]), "--no-owner", "--no-privileges", str(source["NAME"])],
        check=True, capture_output=True, timeout=120, env=env,
    )  # fmt: skip
    subprocess.run(
        [_pg_program("psql"), "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "keyworker", "-d", "postgres",
         "-q", "-v", "ON_ERROR_STOP=1"],
        input=dump.stdout, check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def server_env(data_dir: Path, *, sqlite_file: Path | None = None, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "KEYWORKER_", "PYTEST"))}
    env.update(
        KEYWORKER_DATA_DIR=str(data_dir),
        KEYWORKER_SECRET_KEY="fault-test-" + "x" * 50,
        KEYWORKER_SECURE_COOKIES="0",
        KEYWORKER_REQUIRE_MFA="0",
        DJANGO_SETTINGS_MODULE="keyworker.settings",
        PYTHONPATH=str(PROJECT_DIR),
    )
    if sqlite_file is not None:
        env["KEYWORKER_SQLITE_PATH"] = str(sqlite_file)
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


class AppServer:
    """gunicorn (sync workers, as the bench runs it) in its own process group: kill() is SIGKILL to the master
    and every worker at once, as a power cut or the OOM killer would do."""

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2) -> None:
        self.env, self.log, self.workers = env, log, workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, wait: float = 30) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "keyworker.wsgi:application", "--preload",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--worker-class", "sync",
            "--timeout", "30", "--graceful-timeout", "2", "--log-level", "warning", "--no-control-socket",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_DIR, start_new_session=True
            )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); log {self.log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not listen within {wait:.0f}s; log {self.log}")

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) and reap the master."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        self.process = None

    def wait_workers_gone(self, pgid: int, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)


class ForkedServer:
    """gunicorn forked, for each start, from one process that has already imported and warmed Keyworker.

    A cold start (python, Django, the URL conf, the API) takes seconds on a busy 2-core machine, which would
    allow only a handful of kills a minute. So a "zygote" imports the app once, holding no database
    connection, and forks a fresh gunicorn master (its own session and process group) per start; the master
    forks its sync workers as usual. kill() SIGKILLs that whole group: master and workers die at once, as in a
    power cut. The zygote never serves a request, so every server starts from the same untouched image.
    """

    def __init__(self, env: dict[str, str], log: Path, *, workers: int = 2) -> None:
        self.log, self.workers = log, workers
        self.port = free_port()
        self.pid: int | None = None
        self.zygote = subprocess.Popen(
            [sys.executable, "-m", "keyworker.core.tests.faultkit", "zygote"],
            env=env, cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        self._read_line(timeout=60)  # "ready"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _read_line(self, *, timeout: float) -> str:
        assert self.zygote.stdout is not None
        result: list[str] = []
        reader = threading.Thread(target=lambda: result.append(self.zygote.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not result or not result[0]:
            raise RuntimeError(f"the server zygote did not answer in {timeout:.0f}s (exit {self.zygote.poll()})")
        return result[0].strip()

    def start(self, *, wait: float = 30) -> None:
        assert self.zygote.stdin is not None
        self.zygote.stdin.write(f"start {self.port} {self.workers} {self.log}\n")
        self.zygote.stdin.flush()
        self.pid = int(self._read_line(timeout=10))
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError(f"gunicorn did not listen within {wait:.0f}s; log {self.log}")

    def kill(self) -> None:
        """SIGKILL the server's whole process group; return once nothing listens on its port."""
        if self.pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, signal.SIGKILL)
        self.pid = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    pass
            except OSError:
                return
            time.sleep(0.02)

    def close(self) -> None:
        self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.zygote.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.zygote.wait(timeout=10)


def _zygote_main() -> None:
    import django

    django.setup()
    from django.db import connections as conns
    from django.urls import get_resolver
    from gunicorn.app.base import BaseApplication

    from keyworker.wsgi import application

    # Import every view and build the API now, once, rather than in every fresh worker.
    get_resolver().url_patterns  # noqa: B018
    from keyworker.api.api import api

    api.urls  # noqa: B018
    conns.close_all()  # no connection may be shared with the forked servers
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # dead masters are reaped by the kernel

    class Server(BaseApplication):
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    print("ready", flush=True)
    for line in sys.stdin:
        _, port, workers, log = line.split()
        pid = os.fork()
        if pid == 0:
            os.setsid()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            options = {
                "bind": f"127.0.0.1:{port}", "workers": int(workers), "worker_class": "sync", "timeout": 30,
                "graceful_timeout": 2, "loglevel": "warning", "control_socket_disable": True,
            }  # fmt: skip
            try:
                Server(options).run()
            finally:
                os._exit(0)
        print(pid, flush=True)


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


def request(
    url: str,
    *,
    method: str = "GET",
    token: str = "",
    body: Any = None,
    timeout: float = 10,
    accept: str = "",
    headers: dict[str, str] | None = None,
) -> Reply:
    """One HTTP request; any status comes back as a Reply. Connection failures raise OSError."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)  # noqa: S310 - loopback test server
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if accept:
        req.add_header("Accept", accept)
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310
            raw, status, headers = response.read(), response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        raw, status, headers = error.read(), error.code, dict(error.headers)
    text = raw.decode("utf-8", "replace")
    try:
        parsed: Any = json.loads(text)
    except ValueError:
        parsed = text
    return Reply(status, parsed, headers)


@dataclass
class Integrity:
    contacts: int
    acknowledged_missing: list[str]
    contacts_without_event: list[str]
    events_without_contact: list[str]
    audit_ok: bool
    audit_problem: str
    audit_events: int


def check_integrity(env: dict[str, str], acknowledged: list[str], workdir: Path) -> Integrity:
    """Every acknowledged contact exists; every contact has its CREATE audit event and every such event its
    contact (nothing half-written); the audit hash chain verifies. Run in a fresh process with the server's
    own settings (`env`), so it reads the database exactly as the app does."""
    ack_file = workdir / "acknowledged.json"
    ack_file.write_text(json.dumps(acknowledged))
    done = subprocess.run(
        [sys.executable, "-m", "keyworker.core.tests.faultkit", "check", str(ack_file)],
        env=env, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return Integrity(**json.loads(done.stdout.strip().splitlines()[-1]))


def _check_main(ack_file: str) -> None:
    import django

    django.setup()
    from keyworker.audit.chain import verify_chain
    from keyworker.audit.models import AuditEvent
    from keyworker.casework.models import Contact

    acknowledged = json.loads(Path(ack_file).read_text())
    ids = {str(pk) for pk in Contact.objects.values_list("pk", flat=True)}
    created = set(
        AuditEvent._base_manager.filter(object_type=CONTACT_TYPE, action="create").values_list("object_id", flat=True)
    )
    verdict = verify_chain()
    result = Integrity(
        contacts=len(ids),
        acknowledged_missing=sorted(set(acknowledged) - ids),
        contacts_without_event=sorted(ids - created),
        events_without_contact=sorted(created - ids),
        audit_ok=verdict.ok,
        audit_problem=str(verdict.problem or ""),
        audit_events=verdict.count,
    )
    print(json.dumps(result.__dict__))


def sqlite_integrity_check(path: Path) -> str:
    db = sqlite3.connect(path, timeout=30)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def _writer_main(email: str, client_id: str, count: int, go_file: str) -> None:
    """One of the concurrent writers: `count` contacts through the real service, as fast as it can, once
    `go_file` exists (so every writer starts at the same moment). Prints what happened as JSON."""
    import django

    django.setup()
    from keyworker.accounts.models import User
    from keyworker.casework.services import contact_record
    from keyworker.people.models import Client

    actor = User.objects.get(email=email)
    client = Client.objects.get(pk=client_id)
    print("ready", flush=True)
    deadline = time.monotonic() + 120
    while not Path(go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    done, locked, errors = 0, 0, []
    started = time.monotonic()
    for i in range(count):
        try:
            contact_record(actor=actor, client=client, kind="phone", note=f"Writer {os.getpid()} call {i}.")
            done += 1
        except Exception as exc:  # counted and reported, never hidden
            if "database is locked" in str(exc):
                locked += 1
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
    print(json.dumps({"done": done, "locked": locked, "errors": errors[:5],
                      "seconds": round(time.monotonic() - started, 2)}), flush=True)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "check":
        _check_main(sys.argv[2])
    elif len(sys.argv) == 2 and sys.argv[1] == "zygote":
        _zygote_main()
    elif len(sys.argv) == 6 and sys.argv[1] == "write":
        _writer_main(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        sys.exit("usage: python -m keyworker.core.tests.faultkit check ACKNOWLEDGED.json")
