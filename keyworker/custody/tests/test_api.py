"""The custody and court API (mounted at /api/v1/): the directory for casework roles; a client's custody
episodes with their release plans, need updates, upcoming releases, hearings and outcomes, each in reach
exactly when the client is (others 404, anonymous 401), audited, and refusing bad input with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import (
    ChargeFactory,
    EstablishmentFactory,
    HearingFactory,
    Personas,
    UserFactory,
    signed_in,
)
from keyworker.core.tests.test_authorisation_matrix import _assert_cell, _build_world, _views_of, allowed_states
from keyworker.custody import services
from keyworker.custody.models import CustodyEpisode, EstablishmentKind, Hearing, ReleaseNeed, ReleaseNeedUpdate
from keyworker.custody.rules import CATALOGUE

pytestmark = pytest.mark.django_db
API = "/api/v1"


def _court():
    return EstablishmentFactory(kind=EstablishmentKind.CROWN_COURT, name="Snaresbrook Test Crown")


def test_establishments_for_casework_roles(personas: Personas):
    prison = EstablishmentFactory(name="HMP Api Test", visiting_arrangements="Book by phone")
    court = _court()
    for user in (personas.you, personas.other_manager, UserFactory(email="oc@a.test", role=Role.ON_CALL, team=None)):
        http = signed_in(user)
        rows = http.get(f"{API}/establishments").json()
        assert {prison.name, court.name} <= {r["name"] for r in rows}
        courts = http.get(f"{API}/establishments", {"kind": "crown"}).json()
        assert court.name in {r["name"] for r in courts} and prison.name not in {r["name"] for r in courts}
        assert http.get(f"{API}/establishments", {"kind": "castle"}).status_code == 422
    for user in (personas.report_viewer, UserFactory(email="m@a.test", role=Role.PEER_MENTOR, team=personas.team)):
        assert signed_in(user).get(f"{API}/establishments").status_code == 404
    assert HttpClient().get(f"{API}/establishments").status_code == 401


def test_open_custody_read_it_and_update_a_need(personas: Personas):
    client = personas.client_of(personas.you)
    prison = EstablishmentFactory(name="HMP Api Test")
    http = signed_in(personas.you)
    url = f"{API}/clients/{client.pk}/custody-episodes"
    release = timezone.localdate() + dt.timedelta(days=21)
    bad = http.post(
        url,
        {"establishment_id": str(_court().pk), "received_on": "2999-01-01", "release_on": release.isoformat()},
        content_type="application/json",
    )
    assert bad.status_code == 422 and {"establishment_id", "received_on"} <= set(bad.json()["errors"])
    unknown = http.post(url, {"establishment_id": "nope", "received_on": "2026-01-01"}, content_type="application/json")
    assert unknown.status_code == 422 and "establishment_id" in unknown.json()["errors"]
    assert not CustodyEpisode.objects.exists()
    created = http.post(
        url,
        {
            "establishment_id": str(prison.pk),
            "received_on": "2026-01-01",
            "release_on": release.isoformat(),
            "prison_number": "a1234bc",
            "probation_practitioner": "Pat Probation",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["prison_number"] == "A1234BC" and body["days_to_release"] == 21
    assert len(body["needs"]) == len(CATALOGUE) and all(n["status"] == "not_started" for n in body["needs"])
    listed = http.get(url).json()
    assert [e["id"] for e in listed] == [body["id"]] and listed[0]["establishment"]["name"] == "HMP Api Test"
    one = http.get(f"{API}/custody-episodes/{body['id']}").json()
    need = next(n for n in one["needs"] if n["need"] == "first_night")
    need_url = f"{API}/release-needs/{need['id']}"
    stale = http.post(need_url, {"status": "met", "version": 99}, content_type="application/json")
    assert stale.status_code == 409
    nothing = http.post(
        need_url, {"status": "not_started", "version": need["version"]}, content_type="application/json"
    )
    assert nothing.status_code == 422
    assert not ReleaseNeedUpdate.objects.exists()
    updated = http.post(
        need_url,
        {"status": "in_progress", "note": "Hostel referral sent", "version": need["version"]},
        content_type="application/json",
    )
    assert updated.status_code == 200
    assert updated.json()["status"] == "in_progress" and updated.json()["updates"][0]["note"] == "Hostel referral sent"
    assert updated.json()["version"] == need["version"] + 1
    views = AuditEvent.objects.filter(actor=personas.you, client_id=client.pk, action=AuditAction.VIEW)
    assert set(views.values_list("detail__what", flat=True)) == {"api:custody_episodes", "api:custody_episode"}


def test_hearings_and_outcomes(personas: Personas):
    client = personas.client_of(personas.you)
    charge = ChargeFactory(client=client, recorded_by=personas.you)
    other_charge = ChargeFactory(recorded_by=personas.you)
    court = _court()
    http = signed_in(personas.you)
    url = f"{API}/clients/{client.pk}/hearings"
    starts = (timezone.now() - dt.timedelta(hours=2)).replace(microsecond=0)
    wrong_charge = http.post(
        url,
        {
            "court_id": str(court.pk),
            "starts_at": starts.isoformat(),
            "kind": "plea",
            "charge_ids": [str(other_charge.pk)],
        },
        content_type="application/json",
    )
    assert wrong_charge.status_code == 422 and "charge_ids" in wrong_charge.json()["errors"]
    naive = http.post(
        url,
        {"court_id": str(court.pk), "starts_at": "2026-12-01T10:00:00", "kind": "plea"},
        content_type="application/json",
    )
    assert naive.status_code == 422
    assert not Hearing.objects.exists()
    created = http.post(
        url,
        {"court_id": str(court.pk), "starts_at": starts.isoformat(), "kind": "plea", "charge_ids": [str(charge.pk)]},
        content_type="application/json",
    )
    assert created.status_code == 201
    hearing = created.json()
    assert hearing["charges"][0]["offence"] == charge.offence and hearing["charges"][0]["is_allegation"]
    outcome_url = f"{API}/hearings/{hearing['id']}/outcome"
    no_date = http.post(
        outcome_url, {"outcome": "adjourned", "version": hearing["version"]}, content_type="application/json"
    )
    assert no_date.status_code == 422 and "next_starts_at" in no_date.json()["errors"]
    next_at = (starts + dt.timedelta(days=14)).isoformat()
    done = http.post(
        outcome_url,
        {"outcome": "adjourned", "next_starts_at": next_at, "version": hearing["version"]},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["next_hearing_id"]
    again = http.post(
        outcome_url, {"outcome": "fine", "version": done.json()["version"]}, content_type="application/json"
    )
    assert again.status_code == 422 and "already recorded" in again.json()["detail"]
    listed = http.get(url).json()
    assert [h["outcome"] for h in listed] == ["adjourned", ""]
    assert listed[1]["charges"][0]["id"] == str(charge.pk)


def test_a_custodial_outcome_by_api_opens_custody(personas: Personas):
    client = personas.client_of(personas.you)
    hearing = HearingFactory(client=client, recorded_by=personas.you, starts_at=timezone.now() - dt.timedelta(hours=1))
    prison = EstablishmentFactory(name="HMP Api Prison")
    http = signed_in(personas.you)
    response = http.post(
        f"{API}/hearings/{hearing.pk}/outcome",
        {
            "outcome": "custodial",
            "sentence_length": "3 years",
            "establishment_id": str(prison.pk),
            "version": hearing.version,
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    episode = CustodyEpisode.objects.get(client=client)
    assert episode.source_hearing_id == hearing.pk and episode.establishment == prison


def test_releases_list_only_clients_in_reach(personas: Personas):
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    for client in (mine, theirs):
        services.custody_episode_open(
            actor=personas.you if client == mine else personas.other_caseworker,
            client=client,
            establishment=EstablishmentFactory(name="HMP Api Board"),
            received_on=timezone.localdate() - dt.timedelta(days=50),
            release_on=timezone.localdate() + dt.timedelta(days=9),
        )
    rows = signed_in(personas.you).get(f"{API}/releases").json()
    assert [r["episode"]["client"]["id"] for r in rows] == [str(mine.pk)]
    assert rows[0]["days_to_go"] == 9 and len(rows[0]["open_needs"]) == len(CATALOGUE)
    assert AuditEvent.objects.filter(actor=personas.you, client_id=mine.pk, detail__what="api:releases").exists()
    assert signed_in(personas.you).get(f"{API}/releases", {"weeks": 1}).json() == []
    assert signed_in(personas.you).get(f"{API}/releases", {"weeks": 0}).status_code == 422
    assert signed_in(personas.report_viewer).get(f"{API}/releases").json() == []
    assert HttpClient().get(f"{API}/releases").status_code == 401


def test_custody_record_operations_follow_the_matrix():
    """Every role x record state of the client-record row for the operations addressed by a custody record's id;
    a denied write changes nothing; anonymous callers get 401."""
    world = _build_world()
    ids = {}
    for state, bundle in world.bundles.items():
        episode = bundle.client.custody_episodes.get()  # the world puts each client in custody
        need = ReleaseNeed.objects.create(episode=episode, need="gp", pathway="health", title="GP")
        hearing = HearingFactory(client=bundle.client, starts_at=timezone.now() - dt.timedelta(hours=1))
        ids[state] = (episode, need, hearing)
    http = HttpClient()
    for role, viewer in world.viewers.items():
        http.force_login(viewer)
        allowed = allowed_states("client-record", role)
        for state, bundle in world.bundles.items():
            episode, need, hearing = ids[state]
            before = _views_of(viewer, bundle)
            got = http.get(f"{API}/custody-episodes/{episode.pk}")
            _assert_cell(got, state in allowed, bundle.marker, f"GET episode {role} {state}")
            if state in allowed:
                assert _views_of(viewer, bundle) > before
            for url, body in (
                (f"{API}/release-needs/{need.pk}", {"status": "met", "version": 999}),
                (f"{API}/hearings/{hearing.pk}/outcome", {"outcome": "fine", "version": 999}),
            ):
                response = http.post(url, body, content_type="application/json")
                if state in allowed:
                    assert response.status_code == 409, (url, role, state)  # seen, but the version is stale
                else:
                    assert response.status_code == 404, (url, role, state)
    assert not ReleaseNeed.objects.filter(status="met").exists() and not Hearing.objects.exclude(outcome="").exists()
    http.logout()
    episode, need, hearing = ids["own"]
    assert http.get(f"{API}/custody-episodes/{episode.pk}").status_code == 401
    assert http.post(f"{API}/release-needs/{need.pk}", {}, content_type="application/json").status_code == 401
