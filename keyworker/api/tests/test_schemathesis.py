"""The whole API fuzzed against its own OpenAPI schema (schemathesis): no request, however odd, gets a 5xx.

Every operation in /api/v1/openapi.json gets generated requests, sent in process to the WSGI application
(the same middleware and auth as in production) with a caseworker's read+write API token. Path ids are the
real records of a small world the caseworker can see, so the requests reach the services rather than stopping
at a 404; a few examples per operation use random ids as well. Each response must not be a server error, must
have a documented status code and, when JSON, must match the documented schema. A manager then reads every
GET operation. Deterministic (derandomize) and bounded, so CI is reproducible: see docs/decisions/0036.

The totals are printed at the end of the module: "schemathesis: N examples over M operations, 0 server errors".
"""

from __future__ import annotations

import datetime as dt
import traceback
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from ninja import Schema
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from keyworker.accounts.models import Role, User
from keyworker.accounts.services import token_create
from keyworker.api.api import api
from keyworker.casework.models import Pathway
from keyworker.core.testing import (
    AppointmentFactory,
    CohortFactory,
    ConcernFactory,
    ContactFactory,
    CrisisCallFactory,
    CustodyEpisodeFactory,
    FundingStreamFactory,
    HearingFactory,
    LetterFactory,
    LoneWorkingVisitFactory,
    MentoringFactory,
    Personas,
    ServiceFactory,
    SpellFactory,
    StreamTargetFactory,
    TaskFactory,
    UserFactory,
    signed_in,
)
from keyworker.custody.models import ReleaseNeed
from keyworker.intake.models import Referral, ReferralSource
from keyworker.outcomes.models import FunderReportRun
from keyworker.safeguarding.models import DashAssessment, MaracReferral, NrmReferral
from keyworker.services.models import Enrolment, OutboundReferral

SCHEMA_PATH = "/api/v1/openapi.json"
# Examples per operation: with the world's real ids (valid data), with the real ids and invalid data, and with
# random ids. About 110 operations x 16 keeps the module to two minutes or so on SQLite.
REAL_IDS_EXAMPLES = 10
NEGATIVE_EXAMPLES = 4
RANDOM_IDS_EXAMPLES = 2
MANAGER_EXAMPLES = 2


def _operations() -> list[tuple[str, str]]:
    """(METHOD, path) of every operation, read from the ninja API itself at collection (no request needed)."""
    spec = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(
        (method.upper(), path) for path, ops in spec["paths"].items() for method in ops if method != "parameters"
    )


OPERATIONS = _operations()


@dataclass
class Tally:
    """Examples run, by operation, and the server errors seen (with the exception's traceback)."""

    examples: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    reported: bool = False  # pytest may set up the module fixture twice (when it reorders tests): print once


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def _print_tally(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not TALLY.examples or TALLY.reported:
        return
    TALLY.reported = True
    with capture.global_and_fixture_disabled():
        _write_tally(reporter)


def _write_tally(reporter: Any) -> None:
    total = sum(TALLY.examples.values())
    reporter.write_line("")
    for label, count in sorted(TALLY.examples.items()):
        reporter.write_line(f"schemathesis: {count:4d} {label}")
    statuses = ", ".join(f"{code}: {n}" for code, n in sorted(TALLY.statuses.items()))
    reporter.write_line(f"schemathesis: statuses {statuses}")
    reporter.write_line(
        f"schemathesis: {total} examples over {len(TALLY.examples)} operations, "
        f"{len(TALLY.server_errors)} server errors"
    )


@pytest.fixture
def wsgi_app() -> Iterator[WSGIHandler]:
    """Django's WSGI application, as in production, but inside the test's transaction: like Django's test
    client, keep the per-request connection clean-up from closing the test's connection mid-transaction.
    Exceptions behind a 500 are kept, so a failure shows the server's traceback, not only the status."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def keep(sender: Any, request: Any = None, **kwargs: Any) -> None:
        TALLY.server_errors.append(traceback.format_exc())

    got_request_exception.connect(keep, weak=False, dispatch_uid="schemathesis-tally")
    try:
        yield WSGIHandler()
    finally:
        got_request_exception.disconnect(dispatch_uid="schemathesis-tally")
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def schema(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Loaded once, from the application itself (the spec needs no database, but the middleware may ask: after
    django_db_setup, so it would be the test database)."""
    with django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())


def _bearer(user: User) -> dict[str, str]:
    _, secret = token_create(actor=user, name="Fuzzing", can_read=True, can_write=True)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def ids(personas: Personas) -> dict[str, str]:
    """Real records the caseworker (`you`) can reach, by path parameter name (and a few by path)."""
    you = personas.you
    mine = personas.client_of(you, first_name="Dee", last_name="Mine")
    case = mine.cases.get()
    now = timezone.now()
    episode = CustodyEpisodeFactory(client=mine, recorded_by=you)
    hearing = HearingFactory(client=mine, recorded_by=you)
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream)
    cohort = CohortFactory()
    concern = ConcernFactory(client=mine, recorded_by=you)
    mentoring = MentoringFactory(mentee=mine, mentor=UserFactory(role=Role.PEER_MENTOR, team=None))
    today = timezone.localdate()
    service = ServiceFactory()
    referral = Referral.objects.create(
        first_name="Rae",
        source=ReferralSource.SELF,
        received_at=now,
        reason="Wants to leave the group.",
        team=personas.team,
        received_by=you,
    )
    outbound = OutboundReferral.objects.create(
        client=mine, case=case, service=service, reason="Drug and alcohol support.", made_by=you
    )
    need = ReleaseNeed.objects.create(
        episode=episode, need="housing", pathway=Pathway.values[0], title="Somewhere to live on release"
    )
    enrolment = Enrolment.objects.create(cohort=cohort, client=mine, enrolled_by=you, enrolled_on=today)
    dash = DashAssessment.objects.create(
        concern=concern, answers={}, score=0, meets_marac_threshold=False, completed_on=today, completed_by=you
    )
    marac = MaracReferral.objects.create(
        concern=concern,
        dash=dash,
        marac_area="Lambeth",
        threshold_reasons="Professional judgement.",
        summary="Threats from an ex-partner.",
        referred_on=today,
        referred_by=you,
    )
    nrm = NrmReferral.objects.create(concern=concern, first_responder="Police", referred_on=today, recorded_by=you)
    run = FunderReportRun.objects.create(
        stream=stream, since=today - dt.timedelta(days=90), until=today, requested_by=personas.manager
    )
    return {
        "/referrals/": str(referral.pk),
        "/outbound-referrals/": str(outbound.pk),
        "/marac-referrals/": str(marac.pk),
        "/nrm-referrals/": str(nrm.pk),
        "need_id": str(need.pk),
        "enrolment_id": str(enrolment.pk),
        "dash_id": str(dash.pk),
        "run_id": str(run.pk),
        "client_id": str(mine.pk),
        "case_id": str(case.pk),
        "contact_id": str(ContactFactory(client=mine, case=case, recorded_by=you).pk),
        "task_id": str(TaskFactory(client=mine, owner=you).pk),
        "stream_id": str(stream.pk),
        "measure": "entered_ete",
        "episode_id": str(episode.pk),
        "hearing_id": str(hearing.pk),
        "visit_id": str(
            LoneWorkingVisitFactory(staff=you, buddy=personas.teammate, checked_in_at=now - dt.timedelta(minutes=5)).pk
        ),
        "appointment_id": str(AppointmentFactory(client=mine, staff=you).pk),
        "service_id": str(service.pk),
        "cohort_id": str(cohort.pk),
        "spell_id": str(SpellFactory(client=mine, recorded_by=you).pk),
        "mentoring_id": str(mentoring.pk),
        "call_id": str(CrisisCallFactory(client=mine, taken_by=you).pk),
        "concern_id": str(concern.pk),
        "letter_id": str(LetterFactory(client=mine, written_by=you).pk),
    }


def _path_parameters(path: str, ids: dict[str, str]) -> dict[str, str]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    found = {name: ids[name] for name in names if name in ids}
    if "referral_id" in names:  # four kinds of referral share the name: the path says which
        found["referral_id"] = next(ids[kind] for kind in ids if kind.startswith("/") and kind in path)
    return found


def _run(app: WSGIHandler, label: tuple[str, str], headers: dict[str, str], strategy: Any, examples: int) -> None:
    """Up to `examples` generated requests for one operation, each checked; a 5xx fails with its traceback."""
    method, path = label
    name = f"{method} {path}"

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=["explicit", "generate"],
    )
    @given(case=strategy)
    def check(case: Any) -> None:
        before = len(TALLY.server_errors)
        response = case.call(headers=headers, app=app)
        TALLY.examples[name] += 1
        TALLY.statuses[response.status_code] += 1
        if response.status_code >= 500 and len(TALLY.server_errors) == before:
            TALLY.server_errors.append(f"{name}: {response.status_code} with no exception")
        if len(TALLY.server_errors) > before:
            raise AssertionError(f"{name} answered {response.status_code}:\n" + "\n".join(TALLY.server_errors[before:]))
        case.validate_response(
            response,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
            headers=headers,
        )

    check()


@pytest.mark.parametrize("label", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_survives_generated_requests(
    label: tuple[str, str], schema: Any, wsgi_app: WSGIHandler, ids: dict[str, str], personas: Personas
) -> None:
    method, path = label
    operation = schema[path][method]
    headers = _bearer(personas.you)
    real = _path_parameters(path, ids)
    _run(wsgi_app, label, headers, operation.as_strategy(path_parameters=real), REAL_IDS_EXAMPLES)
    _run(
        wsgi_app,
        label,
        headers,
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=real),
        NEGATIVE_EXAMPLES,
    )
    if real:
        _run(wsgi_app, label, headers, operation.as_strategy(), RANDOM_IDS_EXAMPLES)
    if method == "GET":  # a manager reads it too (in the same test: the world is built once per operation)
        _run(wsgi_app, label, _bearer(personas.manager), operation.as_strategy(path_parameters=real), MANAGER_EXAMPLES)


def test_the_schema_loads_from_the_application(schema: Any) -> None:
    labels = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert labels == set(OPERATIONS)


def _schema_classes(cls: type) -> Iterator[type]:
    sub: type
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_no_two_schemas_share_a_name() -> None:
    """OpenAPI components are keyed by class name: two schemas of one name (a concern's and a crisis call's
    SharingDecisionOut, say) publish one of them for both, and the spec then lies about the other."""
    api.get_openapi_schema(path_prefix="/api/v1/")  # every router's schemas imported
    fields_by_name: dict[str, set[tuple[str, ...]]] = {}
    for cls in _schema_classes(Schema):
        if cls.__module__.startswith("keyworker."):
            fields_by_name.setdefault(cls.__name__, set()).add(tuple(sorted(cls.model_fields)))
    assert {name: shapes for name, shapes in fields_by_name.items() if len(shapes) > 1} == {}


# Free-text query parameters, each with a NUL character: PostgreSQL refuses NUL in any text it is sent (SQLite
# does not care), so these run on both in CI. Bodies are covered once for all by InputSchema's NUL check.
NUL_QUERIES = [
    "/api/v1/clients?q=Dee%00",
    "/api/v1/tasks?client=%00",
    "/api/v1/search/clients?q=Dee%00Mine",
    "/api/v1/search/notes?q=rang%00back",
    "/api/v1/establishments?kind=prison%00",
    "/api/v1/services?q=drug%00&area=Lambeth%00",
    "/api/v1/concerns/{concern_id}/marac-draft?dash_id=%00",
    "/api/v1/clients/{client_id}/distance-travelled?scale_id=%00",
    "/api/v1/appointments?status=booked%00",
    "/api/v1/referrals?status=received%00",
]


@pytest.mark.parametrize("url", NUL_QUERIES)
def test_a_nul_character_in_a_query_is_never_a_server_error(url: str, ids: dict[str, str], personas: Personas) -> None:
    response = signed_in(personas.you).get(url.format(**ids))
    assert response.status_code < 500
    assert response.status_code in {200, 404, 422}
