"""The database stops under a running server: pages and the API say so plainly (503), nothing acknowledged is
lost, and the server recovers by itself when the database is back (docs/decisions/0035-faults.md).

First the 503 itself (any database): which errors count as "cannot reach the database", and that pages, the
API and /healthz answer 503 whether the database is lost in a view or in the middleware before it.

PostgreSQL only: a private server (initdb on a free loopback port, as test_replica.py) holding a copy of this
run's test database, and gunicorn against it. `pg_ctl stop -m immediate` is the outage: no checkpoint, the
server is simply gone, as after a crash. With SQLite there is no server to stop (the file is opened by the
app itself); its failures are covered by the unit tests of keyworker.core.unavailable.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django import db
from django.conf import settings
from django.test import Client as HttpClient
from django.test import RequestFactory

from keyworker.accounts.services import token_create
from keyworker.core.testing import Personas, signed_in
from keyworker.core.tests import faultkit
from keyworker.core.unavailable import (
    API_MESSAGE,
    RETRY_AFTER_SECONDS,
    database_unavailable_response,
    is_database_unavailable,
)

ACKNOWLEDGED_BEFORE = 12


# --- the 503 itself, on any database (no server needed) --------------------------------------------------------


def _outage() -> Exception:
    """What Django raises when PostgreSQL is not there: its OperationalError from psycopg's."""
    try:
        try:
            raise psycopg.OperationalError("connection failed: Connection refused")
        except psycopg.OperationalError as cause:
            raise db.OperationalError("connection failed: Connection refused") from cause
    except db.OperationalError as exc:
        return exc


def _from(cause: Exception, wrapper: type[Exception] = db.OperationalError) -> Exception:
    try:
        try:
            raise cause
        except Exception as inner:
            raise wrapper(str(inner)) from inner
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "outage"),
    [
        (_outage(), True),
        (_from(psycopg.errors.AdminShutdown("terminating connection due to administrator command")), True),
        (_from(psycopg.errors.CannotConnectNow("the database system is starting up")), True),
        (_from(psycopg.InterfaceError("the connection is closed"), db.InterfaceError), True),
        (db.InterfaceError("connection already closed"), True),
        (_from(sqlite3.OperationalError("database is locked")), True),
        (_from(sqlite3.OperationalError("unable to open database file")), True),
        # Bugs, not outages: they stay 500s and reach the error log as such.
        (_from(sqlite3.OperationalError("no such table: casework_contact")), False),
        (_from(psycopg.errors.QueryCanceled("canceling statement due to statement timeout")), False),
        (_from(psycopg.errors.UniqueViolation("duplicate key"), db.IntegrityError), False),
        (_from(sqlite3.IntegrityError("UNIQUE constraint failed"), db.IntegrityError), False),
        (ValueError("bad input"), False),
    ],
)
def test_only_connectivity_counts_as_unavailable(exc: Exception, outage: bool) -> None:
    assert is_database_unavailable(exc) is outage


def _raiser(exc: Exception) -> Any:
    def raise_it(*args: Any, **kwargs: Any) -> Any:
        raise exc

    return raise_it


@pytest.mark.django_db
def test_a_page_whose_view_loses_the_database_answers_503_without_touching_it(
    personas: Personas, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    browser = signed_in(personas.you)
    browser.raise_request_exception = False
    browser.get("/notifications/")  # the session is loaded before the outage below
    monkeypatch.setattr("keyworker.core.views.notification_list_for", _raiser(_outage()))
    response = browser.get("/notifications/")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Sorry, Keyworker cannot reach its database" in page
    assert "Nothing you saved before this was lost" in page
    assert "NOT saved" in page
    assert page.count("<h1") == 1
    assert personas.you.display_name not in page  # no navigation, no user: nothing read to build it
    # Rendering the page itself reads nothing.
    with django_assert_max_num_queries(0):
        database_unavailable_response(RequestFactory().get("/week/"))


@pytest.mark.django_db
def test_the_database_lost_before_the_view_runs_answers_503(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session and the signed-in user are read by middleware, before any view: still a 503, not a 500."""
    from django.db.backends.utils import CursorWrapper

    browser = signed_in(personas.you)
    browser.raise_request_exception = False
    monkeypatch.setattr(CursorWrapper, "execute", _raiser(_outage()))
    page = browser.get("/week/")
    assert page.status_code == 503
    assert "cannot reach its database" in page.content.decode()
    api = browser.get("/api/v1/clients/")
    assert api.status_code == 503
    assert api.json() == {"detail": API_MESSAGE}
    health = browser.get("/healthz")
    assert health.status_code == 503
    assert health["Retry-After"] == str(RETRY_AFTER_SECONDS)


@pytest.mark.django_db
def test_the_api_answers_503_json(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    client = personas.client_of(personas.you)
    browser = signed_in(personas.you)
    browser.raise_request_exception = False
    monkeypatch.setattr("keyworker.casework.selectors.contact_list_for", _raiser(_outage()))
    response = browser.get(f"/api/v1/clients/{client.pk}/contacts")
    assert response.status_code == 503
    assert response.json() == {"detail": API_MESSAGE}
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)


@pytest.mark.django_db
def test_other_database_errors_stay_500(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    """An IntegrityError is a bug to fix, not an outage to wait out: no "try again in a few minutes"."""
    browser = signed_in(personas.you)
    browser.raise_request_exception = False
    browser.get("/notifications/")
    bug = _from(sqlite3.IntegrityError("UNIQUE constraint failed"), db.IntegrityError)
    monkeypatch.setattr("keyworker.core.views.notification_list_for", _raiser(bug))
    response = browser.get("/notifications/")
    assert response.status_code == 500
    assert "Retry-After" not in response


# --- a real PostgreSQL stopped under a real server ---------------------------------------------------------------


@pytest.fixture
def workdir() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="kw-fault-down-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _page(url: str, session: str) -> faultkit.Reply:
    return faultkit.request(url, headers={"Cookie": f"sessionid={session}"}, accept="text/html")


@pytest.mark.django_db(transaction=True)
def test_database_stopped_then_back(personas: Personas, workdir: Path) -> None:
    if not faultkit.on_postgresql():
        pytest.skip("needs a PostgreSQL run (DATABASE_URL): with SQLite there is no database server to stop")
    faultkit.require_private_postgres()
    you = personas.you
    client = personas.client_of(you)
    _, token = token_create(actor=you, name="Fault test", can_read=True, can_write=True)
    browser = HttpClient()
    browser.force_login(you)  # a real session row, copied with the database below
    session = browser.cookies[settings.SESSION_COOKIE_NAME].value
    contacts = f"/api/v1/clients/{client.pk}/contacts"
    body = {"kind": "phone", "note": "Rang to check in about the week."}

    pg = faultkit.PrivatePostgres()
    server: faultkit.AppServer | None = None
    try:
        pg.start()
        faultkit.copy_test_database(postgres=pg)
        env = faultkit.server_env(workdir, database_url=pg.url)
        env["KEYWORKER_SECRET_KEY"] = settings.SECRET_KEY  # the session copied above is signed with it
        server = faultkit.AppServer(env, workdir / "gunicorn.log")
        server.start()
        assert _page(server.url + "/week/", session).status == 200

        acknowledged = []
        for _ in range(ACKNOWLEDGED_BEFORE):
            reply = faultkit.request(server.url + contacts, method="POST", token=token, body=body)
            assert reply.status == 201, reply.body
            acknowledged.append(str(reply.body["id"]))

        pg.stop()  # -m immediate: the database is gone mid-flight

        page = _page(server.url + "/week/", session)
        assert page.status == 503
        assert "cannot reach its database" in page.body
        assert "NOT saved" in page.body
        assert page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        listed = faultkit.request(server.url + contacts, token=token)
        assert listed.status == 503
        assert listed.body == {"detail": API_MESSAGE}
        lost = faultkit.request(server.url + contacts, method="POST", token=token, body=body)
        assert lost.status == 503
        assert "NOT saved" in lost.body["detail"]
        assert lost.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
        health = faultkit.request(server.url + "/healthz")
        assert health.status == 503
        assert health.body["database"] == "unavailable"

        pg.start()  # crash recovery; the same gunicorn, never restarted
        deadline = time.monotonic() + 20
        while faultkit.request(server.url + "/healthz").status != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert faultkit.request(server.url + "/healthz").status == 200
        assert _page(server.url + "/week/", session).status == 200
        after = faultkit.request(server.url + contacts, method="POST", token=token, body=body)
        assert after.status == 201, after.body
        acknowledged.append(str(after.body["id"]))

        result = faultkit.check_integrity(env, acknowledged, workdir)
    finally:
        if server is not None:
            server.kill()
        pg.remove()
    print(
        f"\nFAULTS database down: {len(acknowledged)} writes acknowledged, {len(acknowledged)} checked present "
        f"after the restart with their audit events; the one refused during the outage was not saved."
    )
    assert result.acknowledged_missing == []
    assert result.contacts == len(acknowledged), "the write refused during the outage must not exist"
    assert result.contacts_without_event == [] and result.events_without_contact == []
    assert result.audit_ok, result.audit_problem
