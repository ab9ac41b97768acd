"""Every key page and every API list asks the database a fixed number of questions, whatever the data size
(issue 9: constant in data size and at most 15; no N+1).

Each probe is requested once to warm up, counted on a small world, then counted again after the world has
tripled (more clients, cases, contacts, appointments, custody, referrals, concerns ... in the same teams, and
more history for the client whose pages are read). The two counts must be equal and within BUDGET; a miss
prints both counts and every query of the larger page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyworker.core.testing import (
    AppointmentFactory,
    ChargeFactory,
    ConcernFactory,
    ContactFactory,
    CrisisCallFactory,
    CustodyEpisodeFactory,
    FundingStreamFactory,
    HearingFactory,
    LetterFactory,
    MentoringFactory,
    MilestoneFactory,
    OutcomeReadingFactory,
    Personas,
    RiskReviewFactory,
    SpellFactory,
    StreamAllocationFactory,
    TaskFactory,
    run_tasks,
    signed_in,
)
from keyworker.intake import services as intake_services
from keyworker.people.models import Client
from keyworker.privacy.models import Disclosure, SharingAgreement

pytestmark = pytest.mark.django_db

BUDGET = 15
API = "/api/v1"


@dataclass
class World:
    p: Personas
    main: Client  # the client whose own pages are read: a long history that keeps growing
    stream: Any
    run_id: str = ""


def _grow(w: World, units: int) -> None:
    """`units` more of everything the probed pages list, in the probing users' own teams."""
    p = w.p
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for _ in range(units):
        for keyworker in (p.you, p.teammate):
            client = p.client_of(keyworker)
            case = client.cases.get()
            ContactFactory.create_batch(2, client=client, recorded_by=keyworker)
            AppointmentFactory(staff=keyworker, client=client, starts_at=now + dt.timedelta(hours=1))
            TaskFactory(owner=keyworker, client=client, case=case)
            CustodyEpisodeFactory(client=client, recorded_by=keyworker)
            HearingFactory(client=client, recorded_by=keyworker)
            StreamAllocationFactory(stream=w.stream, case=case)
            ConcernFactory(client=client, recorded_by=keyworker)
            RiskReviewFactory(client=client, reviewed_by=keyworker)
            MentoringFactory(mentor=p.peer_mentor, mentee=client)
            CrisisCallFactory(client=client, taken_by=p.on_call)
            intake_services.referral_receive(
                actor=keyworker, source="self", reason="Wants out.", first_name="Ren", last_name="Example"
            )
        main = w.main
        ContactFactory.create_batch(5, client=main, recorded_by=p.you)
        AppointmentFactory(staff=p.you, client=main, starts_at=now + dt.timedelta(days=1))
        TaskFactory(owner=p.you, client=main)
        MilestoneFactory(client=main, recorded_by=p.you)
        SpellFactory(client=main, recorded_by=p.you)
        OutcomeReadingFactory(client=main, taken_by=p.you)
        LetterFactory(client=main, written_by=p.you)
        RiskReviewFactory(client=main, reviewed_by=p.you)
        ConcernFactory(client=main, recorded_by=p.you)
        HearingFactory(client=main, recorded_by=p.you)
        ChargeFactory(client=main, recorded_by=p.you)
        agreement = SharingAgreement.objects.create(
            partner="Example Partner Agency",
            title="Referrals for support",
            purpose="Support after release.",
            lawful_basis="Consent",
            data_shared="Name, contact details, needs.",
            starts_on=now.date() - dt.timedelta(days=30),
            review_on=now.date() + dt.timedelta(days=300),
            recorded_by=p.manager,
        )
        Disclosure.objects.create(
            client=main,
            what="Name and needs",
            recipient="Example Partner Agency",
            basis="Consent",
            disclosed_at=now,
            disclosed_by=p.you,
            source_type="privacy.sharingagreement",
            source_id=agreement.pk,
            sharing_agreement=agreement,
        )


@pytest.fixture
def world(personas: Personas) -> World:
    main = personas.client_of(personas.you, first_name="Jerome", last_name="Okafor")
    ContactFactory.create_batch(45, client=main, recorded_by=personas.teammate)  # three timeline pages
    stream = FundingStreamFactory()
    StreamAllocationFactory(stream=stream, case=main.cases.get())
    w = World(p=personas, main=main, stream=stream)
    _grow(w, 1)
    from keyworker.outcomes.services.funder_reports import funder_report_request

    today = timezone.localdate()
    run = funder_report_request(actor=personas.manager, stream=stream, since=today - dt.timedelta(days=90), until=today)
    run_tasks()
    w.run_id = str(run.pk)
    return w


@dataclass(frozen=True)
class Probe:
    id: str
    who: str
    url: Callable[[World], str]


def _client(path: str) -> Callable[[World], str]:
    return lambda w: path.format(c=w.main.pk)


def _page(name: str, **query: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        suffix = "&".join(f"{k}={v}" for k, v in query.items())
        return reverse(name) + (f"?{suffix}" if suffix else "")

    return url


def _client_page(name: str, **query: str) -> Callable[[World], str]:
    def url(w: World) -> str:
        suffix = "&".join(f"{k}={v}" for k, v in query.items())
        return reverse(name, kwargs={"client_id": w.main.pk}) + (f"?{suffix}" if suffix else "")

    return url


PAGES = [
    Probe("my_week", "you", _page("diary:my_week")),
    Probe("caseload", "you", _page("casework:caseload")),
    Probe("caseload_manager", "manager", _page("casework:caseload")),
    Probe("client_page", "you", _client_page("people:client_detail")),
    Probe("client_timeline_page_2", "you", _client_page("people:client_detail", page="2")),
    Probe("client_about", "you", _client_page("people:client_about")),
    Probe("client_custody", "you", _client_page("custody:client_custody")),
    Probe("client_outcomes", "you", _client_page("outcomes:client_outcomes")),
    Probe("client_milestones", "you", _client_page("outcomes:client_milestones")),
    Probe("client_letters", "you", _client_page("outcomes:client_letters")),
    Probe("client_disclosures", "you", _client_page("privacy:client_disclosures")),
    Probe("team_week", "manager", _page("diary:team_week")),
    Probe("release_board", "you", _page("custody:release_board")),
    Probe("referral_list", "you", _page("intake:referral_list")),
    Probe("search_names", "you", _page("people:search", q="Jerome")),
    Probe("search_notes", "you", _page("people:search", q="phone", **{"in": "notes"})),
    Probe("funder_reports", "manager", _page("outcomes:funder_reports")),
    Probe("funder_report_finished", "manager", lambda w: reverse("outcomes:funder_report", args=[w.run_id])),
    Probe("capacity", "manager", _page("funding:capacity")),
]

API_LISTS = [
    Probe("api_clients", "you", lambda w: f"{API}/clients"),
    Probe("api_search_clients", "you", lambda w: f"{API}/search/clients?q=Jerome"),
    Probe("api_search_notes", "you", lambda w: f"{API}/search/notes?q=phone"),
    Probe("api_client_cases", "you", _client(API + "/clients/{c}/cases")),
    Probe("api_client_contacts", "you", _client(API + "/clients/{c}/contacts")),
    Probe("api_cases", "you", lambda w: f"{API}/cases"),
    Probe("api_tasks", "you", lambda w: f"{API}/tasks"),
    Probe("api_funding_streams", "manager", lambda w: f"{API}/funding/streams"),
    Probe("api_funding_capacity", "manager", lambda w: f"{API}/funding/capacity"),
    Probe("api_referrals", "you", lambda w: f"{API}/referrals"),
    Probe("api_establishments", "you", lambda w: f"{API}/establishments"),
    Probe("api_client_custody_episodes", "you", _client(API + "/clients/{c}/custody-episodes")),
    Probe("api_releases", "you", lambda w: f"{API}/releases"),
    Probe("api_client_hearings", "you", _client(API + "/clients/{c}/hearings")),
    Probe("api_lone_working_current", "you", lambda w: f"{API}/lone-working/visits/current"),
    Probe("api_appointments", "you", lambda w: f"{API}/appointments"),
    Probe("api_services", "you", lambda w: f"{API}/services"),
    Probe("api_client_outbound_referrals", "you", _client(API + "/clients/{c}/outbound-referrals")),
    Probe("api_signposting", "you", lambda w: f"{API}/signposting"),
    Probe("api_courses", "you", lambda w: f"{API}/courses"),
    Probe("api_client_milestones", "you", _client(API + "/clients/{c}/milestones")),
    Probe("api_client_spells", "you", _client(API + "/clients/{c}/spells")),
    Probe("api_client_proven_offences", "you", _client(API + "/clients/{c}/proven-offences")),
    Probe("api_client_mentoring", "you", _client(API + "/clients/{c}/mentoring/relationships")),
    Probe("api_mentoring_mine", "peer_mentor", lambda w: f"{API}/mentoring/mine"),
    Probe("api_client_risk_reviews", "you", _client(API + "/clients/{c}/risk-reviews")),
    Probe("api_on_call_rota", "on_call", lambda w: f"{API}/on-call/rota"),
    Probe("api_on_call_handover", "on_call", lambda w: f"{API}/on-call/handover"),
    Probe("api_concerns", "safeguarding_lead", lambda w: f"{API}/concerns"),
    Probe("api_client_concerns", "you", _client(API + "/clients/{c}/concerns")),
    Probe("api_nrm_referrals", "safeguarding_lead", lambda w: f"{API}/nrm-referrals"),
    Probe("api_funder_reports", "manager", lambda w: f"{API}/funder-reports"),
    Probe("api_client_letters", "you", _client(API + "/clients/{c}/letters")),
    Probe("api_outcome_scales", "you", lambda w: f"{API}/outcome-scales"),
    Probe("api_client_outcome_readings", "you", _client(API + "/clients/{c}/outcome-readings")),
    Probe("api_client_distance_travelled", "you", _client(API + "/clients/{c}/distance-travelled")),
    Probe("api_sharing_agreements", "you", lambda w: f"{API}/sharing-agreements"),
]


def _params(probes: list[Probe]) -> list[Any]:
    return [pytest.param(probe, id=probe.id) for probe in probes]


def _count(http: Any, url: str) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = http.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return len(queries), [q["sql"] for q in queries.captured_queries]


def _check(world: World, probe: Probe) -> None:
    http = signed_in(getattr(world.p, probe.who))
    url = probe.url(world)
    http.get(url)  # warm up: first-request work (session, caches) is not the page's
    small, _ = _count(http, url)
    _grow(world, 2)
    large, sql = _count(http, url)
    assert (small, large) == (small, small) and large <= BUDGET, (
        f"{probe.id}: {small} queries on the small world, {large} on the tripled one (budget {BUDGET})\n"
        + "\n".join(q[:160] + " ... " + q[-200:] for q in sql)
    )


@pytest.mark.parametrize("probe", _params(PAGES))
def test_page_query_count_is_constant_and_within_budget(world: World, probe: Probe):
    _check(world, probe)


@pytest.mark.parametrize("probe", _params(API_LISTS))
def test_api_list_query_count_is_constant_and_within_budget(world: World, probe: Probe):
    _check(world, probe)


def test_every_api_list_operation_is_probed():
    """A new GET list operation in the API must get a probe here (read from the published paths)."""
    from keyworker.api.tests.test_openapi_and_csrf import PATHS

    urls = {_shape(probe) for probe in API_LISTS}
    lists = {path for path, methods in PATHS.items() if "get" in methods and not path.endswith("}")}
    assert lists - urls - NOT_LISTS == set()


# GET operations that are not lists (one record, a drafted document, a file).
NOT_LISTS = {
    "/api/v1/letters/{letter_id}/pdf",
    "/api/v1/concerns/{concern_id}/marac-draft",
    "/api/v1/clients/{client_id}/safety-plan",
    "/api/v1/clients/{client_id}/mentoring/pathway",
}


def _shape(probe: Probe) -> str:
    """The probe's URL written as its OpenAPI path."""
    fake = World(p=None, main=_Fake(), stream=None)
    return probe.url(fake).split("?")[0].replace(str(_Fake.pk), "{client_id}")


class _Fake:
    pk = "00000000-0000-0000-0000-00000000c11e"
