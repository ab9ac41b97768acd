"""Load test: 100 simulated caseworkers and managers, each clicking through a realistic day with think time,
against a Keyworker already serving a `keyworker synth` database on loopback. See bench/README.md:

    KEYWORKER_DATA_DIR=/tmp/bench-charity .venv/bin/locust -f bench/locustfile.py --headless \
        --users 100 --spawn-rate 10 --run-time 5m --host http://127.0.0.1:8765 --only-summary

The accounts, their clients, the client with the most contacts and the words searched for are chosen from the
same database (the same settings as the server: set KEYWORKER_DATA_DIR or DATABASE_URL alike) by the bench's
own plan (keyworker.bench.runner.plan_build). Each account signs in once, through the real sign-in page and
its authenticator code; the simulated workers sharing an account share its session (a code is accepted once).
"""

from __future__ import annotations

import copy
import os
import random
import urllib.parse
from collections import defaultdict
from http.cookiejar import Cookie
from itertools import count

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyworker.settings")
django.setup()

from django.db import connections  # noqa: E402
from gevent.lock import Semaphore  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402

from keyworker.bench.client import LOOPBACK, form_token, totp_code  # noqa: E402
from keyworker.bench.runner import BENCH_NOTE_PREFIX, plan_build  # noqa: E402
from keyworker.core.demo import DEMO_TOTP_SECRET  # noqa: E402
from keyworker.synth.generate import DEFAULT_PASSWORD  # noqa: E402

PLAN = plan_build(
    seed=int(os.environ.get("KEYWORKER_SYNTH_SEED", "1")), password=DEFAULT_PASSWORD, totp_secret=DEMO_TOTP_SECRET
)
connections.close_all()  # the plan is setup; the load test itself only speaks HTTP


def _paths_by_user() -> dict[str, dict[str, list[str]]]:
    """{probe key: {e-mail: [paths]}}, pairing users and paths the way the bench takes turns."""
    table: dict[str, dict[str, list[str]]] = {}
    for probe in PLAN.probes:
        if probe.api:
            continue
        mine: dict[str, list[str]] = defaultdict(list)
        for i in range(max(len(probe.users), len(probe.paths))):
            mine[probe.users[i % len(probe.users)]].append(probe.paths[i % len(probe.paths)])
        table[probe.key] = dict(mine)
    return table


PATHS = _paths_by_user()
# Caseworkers with clients of their own, and the one who may open the client with the most contacts.
CASEWORKERS = sorted(set(PATHS["client"]) | set(PATHS["client_big"]))
MANAGERS = sorted({a.email for a in PLAN.accounts.values() if a.role == "manager"})
_turn = count()
_sessions: dict[str, list[Cookie]] = {}
_signing_in: dict[str, Semaphore] = defaultdict(Semaphore)


def _paths_for(email: str) -> dict[str, list[str]]:
    """A worker's own paths; a request that is the same for everyone (My week, a note search) is theirs too.
    Never another worker's client: that answers 404, which would count as a failure."""
    mine = {}
    for key, by_user in PATHS.items():
        every = {p for paths in by_user.values() for p in paths}
        mine[key] = by_user.get(email) or (sorted(every) if len(every) == 1 and key != "client_big" else [])
    return mine


class Worker(HttpUser):
    """A caseworker (nine in ten) or a manager, opening pages with 2 to 8 seconds between clicks."""

    wait_time = between(2, 8)

    def on_start(self) -> None:
        host = urllib.parse.urlsplit(self.host or "").hostname
        if host not in LOOPBACK:
            raise RuntimeError("the load test targets a server on this machine only (loopback)")
        n = next(_turn)
        self.manager = bool(MANAGERS) and n % 10 == 9
        self.email = MANAGERS[(n // 10) % len(MANAGERS)] if self.manager else CASEWORKERS[n % len(CASEWORKERS)]
        self.mine = _paths_for(self.email)
        with _signing_in[self.email]:
            if self.email not in _sessions:
                self._sign_in()
                _sessions[self.email] = [copy.copy(c) for c in self.client.cookies]
            else:
                for cookie in _sessions[self.email]:  # whole cookies, domain and all: no duplicates
                    self.client.cookies.set_cookie(copy.copy(cookie))

    def _sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="sign in")
        self.client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": form_token(page.text), "login": self.email, "password": DEFAULT_PASSWORD},
            name="sign in",
            allow_redirects=False,
        )
        step = self.client.get("/accounts/2fa/authenticate/", name="sign in: code")
        self.client.post(
            "/accounts/2fa/authenticate/",
            data={"csrfmiddlewaretoken": form_token(step.text), "code": totp_code(DEMO_TOTP_SECRET)},
            name="sign in: code",
            allow_redirects=False,
        )

    def _get(self, key: str, name: str) -> None:
        paths = self.mine.get(key)
        if paths:
            self.client.get(random.choice(paths), name=name)

    @task(6)
    def my_week(self) -> None:
        self.client.get("/week/", name="My week")

    @task(3)
    def caseload(self) -> None:
        self.client.get("/caseload/", name="Caseload")

    @task(8)
    def client_page(self) -> None:
        self._get("client", "Client page")

    @task(1)
    def big_client_page(self) -> None:
        self._get("client_big", "Client page (most contacts)")

    @task(2)
    def search_name(self) -> None:
        self._get("search_name", "Search by name")

    @task(1)
    def search_notes(self) -> None:
        self._get("search_notes", "Search notes")

    @task(1)
    def release_board(self) -> None:
        self.client.get("/releases/", name="Release board")

    @task(1)
    def add_contact(self) -> None:
        paths = self.mine.get("contact_add")
        if not paths or self.manager:
            return
        with self.client.post(
            random.choice(paths),
            data={
                "csrfmiddlewaretoken": next((c.value or "" for c in self.client.cookies if c.name == "csrftoken"), ""),
                "kind": "phone",
                "note": f"{BENCH_NOTE_PREFIX} (load test) rang to check in about the week.",
            },
            name="Add a contact",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            else:
                response.failure(f"status {response.status_code}")
