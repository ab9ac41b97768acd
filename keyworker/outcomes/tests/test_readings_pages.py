"""The outcome pages by persona: a client's readings (a real chart per domain, with the same numbers as a
table, and the form to take a reading), the cohort's distance travelled for managers, the scale pages, the
links from the client page and My week, and bounded queries."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import OutcomeReadingFactory, Personas, signed_in
from keyworker.outcomes.models import OutcomeReading, OutcomeScale, ReadingScore
from keyworker.outcomes.scale_default import DEFAULT_SCALE_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_scale() -> None:
    # A transactional test elsewhere may have flushed the seeded scale.
    importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)


ALLOWED = {"you", "teammate", "manager"}


def scale() -> OutcomeScale:
    return OutcomeScale.objects.get(name=DEFAULT_SCALE_NAME)


def reading(client, by, days_ago: int, **scores: tuple[int | None, int | None]) -> OutcomeReading:
    r = OutcomeReadingFactory(client=client, taken_by=by, taken_on=timezone.localdate() - dt.timedelta(days=days_ago))
    domains = {d.key: d for d in scale().domains.all()}
    for key, (c, w) in scores.items():
        ReadingScore.objects.create(reading=r, domain=domains[key], client_value=c, worker_value=w)
    return r


def section(html: str, key: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="domain-{key}".*?</section>', html, re.S)
    assert match, key
    return match.group(0)


# -------------------------------------------------------------------------------------------- client page


def test_client_outcomes_by_persona(personas: Personas):
    client = personas.client_of(personas.you, first_name="Ola", last_name="Fictional")
    reading(client, personas.you, 10, identity=(2, 3))
    url = reverse("outcomes:client_outcomes", args=[client.pk])
    for name, user in {**personas.everyone(), "peer_mentor": personas.peer_mentor}.items():
        views = AuditEvent.objects.filter(actor=user, client_id=client.pk, action=AuditAction.VIEW).count()
        response = signed_in(user).get(url)
        if name in ALLOWED:
            assert response.status_code == 200, name
            assert "Ola Fictional" in response.content.decode()
            assert AuditEvent.objects.filter(actor=user, client_id=client.pk, action=AuditAction.VIEW).count() > views
        else:
            assert response.status_code == 404, name
            assert "Ola Fictional" not in response.content.decode()


def test_the_chart_has_a_point_per_reading_and_the_table_the_same_numbers(personas: Personas):
    client = personas.client_of(personas.you)
    reading(client, personas.you, 200, identity=(1, 2), safety=(2, None))
    reading(client, personas.you, 100, identity=(None, 3), safety=(3, 3))
    reading(client, personas.you, 5, identity=(4, 3))
    html = signed_in(personas.you).get(reverse("outcomes:client_outcomes", args=[client.pk])).content.decode()
    identity = section(html, "identity")
    svg = re.search(r"<svg.*?</svg>", identity, re.S).group(0)
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "Client\u2019s view: 1 on" in svg and "up 3 (2 readings)" in svg  # the summary, in words
    client_points = re.findall(r'kw-chart-point--client" data-date="([\d-]+)" data-value="(\d)"', svg)
    worker_points = re.findall(r'kw-chart-point--worker" data-date="([\d-]+)" data-value="(\d)"', svg)
    assert [v for _, v in client_points] == ["1", "4"]
    assert [v for _, v in worker_points] == ["2", "3", "3"]
    assert 'stroke-dasharray="5 3"' in svg  # the worker's line is dashed: told apart without colour
    table = re.search(r'<table class="govuk-table kw-outcome-table".*?</table>', identity, re.S).group(0)
    assert "<caption" in table and 'scope="col"' in table
    table_client = re.findall(r'data-view="client" data-value="(\d?)"', table)
    table_worker = re.findall(r'data-view="worker" data-value="(\d?)"', table)
    assert [v for v in table_client if v] == [v for _, v in client_points]
    assert [v for v in table_worker if v] == [v for _, v in worker_points]
    assert len(table_client) == 3  # a row per reading
    dates = re.findall(r'<th scope="row" class="govuk-table__header" data-date="([\d-]+)"', table)
    assert {d for d, _ in client_points} | {d for d, _ in worker_points} == set(dates)
    # a domain with no readings says so and draws nothing
    assert "<svg" not in section(html, "finance") and "Not recorded yet." in section(html, "finance")


def _post(personas: Personas, client, **fields: str):
    data = {"taken_on": timezone.localdate().isoformat(), "note": ""}
    data.update({f"{view}_{d.key}": "" for d in scale().domains.all() for view in ("client", "worker")})
    data.update(fields)
    return signed_in(personas.you).post(reverse("outcomes:client_outcomes", args=[client.pk]), data)


def test_taking_a_reading_on_the_page(personas: Personas):
    client = personas.client_of(personas.you)
    response = _post(
        personas, client, client_identity="3", worker_identity="2", worker_safety="4", note="Prison visit."
    )
    assert response.status_code == 302
    r = OutcomeReading.objects.get(client=client)
    assert r.note == "Prison visit." and r.taken_by == personas.you
    assert {(s.domain.key, s.client_value, s.worker_value) for s in r.scores.all()} == {
        ("identity", 3, 2),
        ("safety", None, 4),
    }


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"client_identity": "9"}, "Choose a step of identity and self-esteem."),
        ({}, "Record the client's view or your view of at least one domain."),
        ({"client_identity": "3", "taken_on": "2999-01-01"}, "A reading cannot be dated in the future."),
        ({"client_identity": "3", "taken_on": "31/02/2026"}, "Enter a real date"),
    ],
)
def test_a_bad_reading_on_the_page_changes_nothing(personas: Personas, fields, message):
    client = personas.client_of(personas.you)
    response = _post(personas, client, **fields)
    assert response.status_code == 422
    body = response.content.decode().replace("&#39;", "'").replace("&#x27;", "'")
    assert message in body and "There is a problem" in body
    assert not OutcomeReading.objects.filter(client=client).exists()


def test_the_client_page_query_count_is_bounded(personas: Personas, django_assert_max_num_queries):
    client = personas.client_of(personas.you)
    for i in range(12):
        reading(client, personas.you, 30 * i, identity=(i % 5 + 1, 3), safety=(2, i % 5 + 1), health=(None, 2))
    http = signed_in(personas.you)
    # Session and user, the client, 3 for the scales' ladders, the reach check and 2 for the readings with their
    # scores, the audit insert (2; a lock more on PostgreSQL), the notification count (2): 13, whatever the
    # number of readings.
    with django_assert_max_num_queries(14):
        assert http.get(reverse("outcomes:client_outcomes", args=[client.pk])).status_code == 200


def test_the_client_page_links_to_outcomes_and_my_week_lists_readings_due(personas: Personas):
    client = personas.client_of(personas.you, first_name="Due", last_name="Fictional")
    http = signed_in(personas.you)
    url = reverse("outcomes:client_outcomes", args=[client.pk])
    assert url in http.get(reverse("people:client_detail", args=[client.pk])).content.decode()
    week = http.get(reverse("diary:my_week")).content.decode()
    assert "Readings due" in week and url in week and "first reading" in week
    reading(client, personas.you, 1, identity=(3, 3))
    assert url not in http.get(reverse("diary:my_week")).content.decode()


# ------------------------------------------------------------------------------------------------- cohort


def test_cohort_distance_for_the_managers_team(personas: Personas):
    a = personas.client_of(personas.you)
    b = personas.client_of(personas.teammate)
    once = personas.client_of(personas.you)
    south = personas.client_of(personas.other_caseworker)
    reading(a, personas.you, 300, safety=(1, 2))
    reading(a, personas.you, 10, safety=(3, 3))
    reading(b, personas.teammate, 200, safety=(2, 2))
    reading(b, personas.teammate, 20, safety=(4, 2))
    reading(once, personas.you, 20, safety=(1, 1))
    reading(south, personas.other_caseworker, 300, safety=(1, 1))
    reading(south, personas.other_caseworker, 10, safety=(5, 5))
    http = signed_in(personas.manager)
    html = http.get(reverse("outcomes:cohort_outcomes")).content.decode()
    client_table = re.search(r'<table class="govuk-table" data-view="client".*?</table>', html, re.S).group(0)
    row = re.search(r'data-domain="safety".*?</tr>', client_table, re.S).group(0)
    cells = re.findall(r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]*)</td>', row)
    assert cells == ["2", "1.5", "3.5", "+2.0"]  # the other team's client is not counted, nor the single reading
    worker_table = re.search(r'<table class="govuk-table" data-view="worker".*?</table>', html, re.S).group(0)
    row = re.search(r'data-domain="safety".*?</tr>', worker_table, re.S).group(0)
    assert re.findall(r'numeric">([^<]*)</td>', row) == ["2", "2.0", "2.5", "+0.5"]
    # a date range that leaves out the first readings leaves only one reading each: nobody counted
    since = (timezone.localdate() - dt.timedelta(days=100)).isoformat()
    html = http.get(reverse("outcomes:cohort_outcomes"), {"date_from": since}).content.decode()
    assert "not enough readings" in html and "+2.0" not in html
    bad = http.get(reverse("outcomes:cohort_outcomes"), {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422 and "on or after its start" in bad.content.decode()


def test_cohort_page_by_persona(personas: Personas):
    for name, user in {**personas.everyone(), "peer_mentor": personas.peer_mentor}.items():
        status = signed_in(user).get(reverse("outcomes:cohort_outcomes")).status_code
        assert status == (200 if name in {"manager", "other_manager"} else 404), name


def test_cohort_page_query_count_is_bounded(personas: Personas, django_assert_max_num_queries):
    for i in range(10):
        person = personas.client_of(personas.you)
        reading(person, personas.you, 200, safety=(1, 2), identity=(2, 2))
        reading(person, personas.you, 10 + i, safety=(3, 3), identity=(3, 4))
    http = signed_in(personas.manager)
    # session and user, scale, domains, readings, scores, the audit insert (2), the notification count (2)
    with django_assert_max_num_queries(11):
        assert http.get(reverse("outcomes:cohort_outcomes")).status_code == 200


# ------------------------------------------------------------------------------------------------- scales


def test_scale_pages_by_persona(personas: Personas):
    s = scale()
    step = s.domains.get(key="safety").steps.get(value=1)
    for name, user in {**personas.everyone(), "peer_mentor": personas.peer_mentor}.items():
        http = signed_in(user)
        manager = name in {"manager", "other_manager"}
        assert http.get(reverse("outcomes:scale_list")).status_code == (200 if manager else 404), name
        assert http.get(reverse("outcomes:scale_edit", args=[s.pk])).status_code == (200 if manager else 404), name
        response = http.post(
            reverse("outcomes:scale_edit", args=[s.pk]),
            {"action": "step", "step": step.pk, "version": step.version, "label": f"By {name}", "description": "x."},
        )
        if manager:
            assert response.status_code == 302, name
            step.refresh_from_db()
            assert step.label == f"By {name}"
        else:
            assert response.status_code == 404, name
            step.refresh_from_db()
            assert step.label != f"By {name}"


def test_a_manager_edits_the_scale_and_a_stale_form_is_refused(personas: Personas):
    s = scale()
    http = signed_in(personas.manager)
    url = reverse("outcomes:scale_edit", args=[s.pk])
    page = http.get(url, {"step": str(s.domains.get(key="identity").steps.get(value=1).pk)}).content.decode()
    assert "Change step 1 of identity and self-esteem" in page
    data = {
        "action": "scale",
        "version": s.version,
        "name": "Our scale",
        "reading_interval_days": "60",
        "is_active": "on",
    }
    assert http.post(url, data).status_code == 302
    s.refresh_from_db()
    assert (s.name, s.reading_interval_days) == ("Our scale", 60)
    stale = http.post(url, data | {"name": "Stale name"})
    assert stale.status_code == 409 and "Someone else changed this" in stale.content.decode()
    bad = http.post(url, data | {"version": s.version, "reading_interval_days": "0"})
    assert bad.status_code == 422
    s.refresh_from_db()
    assert (s.name, s.reading_interval_days) == ("Our scale", 60)
    assert http.get(url, {"step": "not-an-id"}).status_code == 404
