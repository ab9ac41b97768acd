"""The safety plan: written and changed under optimistic locking (someone else's save first is refused, and
the page shows both versions and keeps what was typed), bad input changes nothing, shown prominently on the
client page with the safety profile's unsafe areas, and the page and API by persona."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import Personas, SafetyPlanFactory, signed_in
from keyworker.safeguarding.models import AreaKind, SafetyPlan, UnsafeArea
from keyworker.safeguarding.selectors import current_unsafe_areas, safety_plan_for
from keyworker.safeguarding.services import safety_plan_save

pytestmark = pytest.mark.django_db

PLAN = {
    "safe_areas": "Her aunt's road in Brixton; the college.",
    "safe_contacts": "Her aunt; the caseworker; the duty line.",
    "emergency_plan": "Call 999, then the duty line. Go to the aunt's, never home, if followed.",
    "relocation_status": "not_needed",
    "moved_on": None,
    "next_check_in_on": None,
}


def _save(actor, client, expected_version=None, **fields):
    return safety_plan_save(actor=actor, client=client, expected_version=expected_version, **(PLAN | fields))


# ------------------------------------------------------------------------------------------- services


def test_written_then_changed_and_audited(personas: Personas):
    amara = personas.client_of(personas.you)
    plan = _save(personas.you, amara)
    assert (plan.version, plan.updated_by, plan.emergency_plan) == (1, personas.you, PLAN["emergency_plan"])
    moved = dt.date(2026, 1, 5)
    changed = _save(
        personas.teammate,
        amara,
        expected_version=1,
        relocation_status="moved",
        moved_on=moved,
        next_check_in_on=moved + dt.timedelta(days=7),
    )
    plan.refresh_from_db()
    assert (plan.version, plan.relocation_status, plan.moved_on, plan.updated_by) == (
        2,
        "moved",
        moved,
        personas.teammate,
    )
    assert changed.version == 2
    events = AuditEvent.objects.filter(object_type="safeguarding.safetyplan").order_by("sequence")
    assert [(e.action, e.client_id) for e in events] == [(AuditAction.CREATE, amara.pk), (AuditAction.UPDATE, amara.pk)]
    assert set(events[1].detail["fields"]) == {"relocation_status", "moved_on", "next_check_in_on"}


def test_someone_elses_save_first_is_refused(personas: Personas):
    amara = personas.client_of(personas.you)
    _save(personas.you, amara)
    _save(personas.teammate, amara, expected_version=1, safe_contacts="Her aunt only.")
    with pytest.raises(ConcurrentEdit):
        _save(personas.you, amara, expected_version=1, safe_contacts="The youth club.")
    with pytest.raises(ConcurrentEdit):  # a first plan, when one was written meanwhile
        _save(personas.you, amara, expected_version=None, safe_contacts="The youth club.")
    plan = SafetyPlan.objects.get()
    assert (plan.version, plan.safe_contacts) == (2, "Her aunt only.")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"emergency_plan": "  "}, "emergency_plan"),
        ({"relocation_status": "moved"}, "moved_on"),
        (
            {"relocation_status": "moved", "moved_on": dt.date(2026, 1, 5), "next_check_in_on": dt.date(2026, 1, 4)},
            "next_check_in_on",
        ),
        ({"relocation_status": "moved", "moved_on": timezone.localdate() + dt.timedelta(days=3)}, "moved_on"),
        ({"relocation_status": "considering", "moved_on": dt.date(2026, 1, 5)}, "moved_on"),
        ({"relocation_status": "abroad"}, "relocation_status"),
        ({"safe_areas": "x" * 5001}, "safe_areas"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(personas: Personas, fields, field):
    amara = personas.client_of(personas.you)
    SafetyPlanFactory(client=amara, updated_by=personas.you)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _save(personas.you, amara, expected_version=1, **fields)
    assert field in refused.value.field_errors
    plan = SafetyPlan.objects.get()
    assert (plan.version, plan.relocation_status, plan.moved_on) == (1, "not_needed", None)
    assert AuditEvent.objects.count() == events


def test_nobody_out_of_reach_can_write_or_read_it(personas: Personas):
    amara = personas.client_of(personas.you)
    for outsider in (personas.other_caseworker, personas.report_viewer, personas.safeguarding_lead, personas.on_call):
        with pytest.raises(NotFound):
            _save(outsider, amara)
        with pytest.raises(NotFound):
            safety_plan_for(outsider, amara)
    assert SafetyPlan.objects.count() == 0


def test_only_current_unsafe_areas_are_shown_with_it(personas: Personas):
    amara = personas.client_of(personas.you)
    common = {
        "client": amara,
        "kind": AreaKind.POSTCODE_DISTRICT,
        "reason": "Threatened",
        "source": "The client",
        "recorded_by": personas.you,
    }
    UnsafeArea.objects.create(area="SE15", **common)
    UnsafeArea.objects.create(area="SE5", ended_on=timezone.localdate() - dt.timedelta(days=1), **common)
    assert [a.area for a in current_unsafe_areas(amara)] == ["SE15"]


# ---------------------------------------------------------------------------------------------- pages

PAGE_ACCESS = {
    "you": 200,
    "teammate": 200,
    "manager": 200,
    "other_caseworker": 404,
    "other_manager": 404,
    "report_viewer": 404,
    "safeguarding_lead": 404,
    "on_call": 404,
}


@pytest.mark.parametrize(("persona", "status"), sorted(PAGE_ACCESS.items()))
def test_safety_plan_page_by_persona(personas: Personas, persona, status):
    amara = personas.client_of(personas.you)
    SafetyPlanFactory(client=amara, updated_by=personas.you, emergency_plan="Go to the aunt's, never home.")
    viewer = getattr(personas, persona)
    response = signed_in(viewer).get(reverse("safeguarding:client_safety_plan", args=[amara.pk]))
    assert response.status_code == status
    assert ("Go to the aunt&#39;s, never home." in response.content.decode()) == (status == 200)
    views = AuditEvent.objects.filter(actor=viewer, client_id=amara.pk, action=AuditAction.VIEW).count()
    assert views == (1 if status == 200 else 0)


def _form(**fields):
    return {
        "version": "",
        "safe_areas": PLAN["safe_areas"],
        "safe_contacts": PLAN["safe_contacts"],
        "emergency_plan": PLAN["emergency_plan"],
        "relocation_status": "not_needed",
        "moved_on": "",
        "next_check_in_on": "",
    } | fields


def test_writing_the_plan_on_the_page(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("safeguarding:client_safety_plan", args=[amara.pk])
    http = signed_in(personas.you)
    assert "No safety plan recorded." in http.get(url).content.decode()
    response = http.post(url, _form(), follow=True)
    assert "Safety plan saved." in response.content.decode()
    plan = SafetyPlan.objects.get()
    assert plan.emergency_plan == PLAN["emergency_plan"]
    page = http.get(url).content.decode()
    assert 'name="version" value="1"' in page


def test_a_concurrent_edit_shows_both_versions_and_keeps_what_was_typed(personas: Personas):
    amara = personas.client_of(personas.you)
    SafetyPlanFactory(client=amara, updated_by=personas.you, safe_contacts="Her aunt.")
    url = reverse("safeguarding:client_safety_plan", args=[amara.pk])
    _save(personas.teammate, amara, expected_version=1, safe_contacts="Theirs: the youth worker at the club.")
    response = signed_in(personas.you).post(url, _form(version="1", safe_contacts="Mine: her cousin in Croydon."))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this safety plan" in html
    assert "Their version (saved)" in html and "Theirs: the youth worker at the club." in html
    assert "Your version (not saved)" in html and "Mine: her cousin in Croydon." in html
    assert 'name="version" value="2"' in html  # saving again now is a deliberate choice to replace theirs
    assert SafetyPlan.objects.get().safe_contacts == "Theirs: the youth worker at the club."
    again = signed_in(personas.you).post(url, _form(version="2", safe_contacts="Mine: her cousin in Croydon."))
    assert again.status_code == 302
    assert SafetyPlan.objects.get().safe_contacts == "Mine: her cousin in Croydon."


def test_the_page_refuses_a_plan_without_an_emergency_plan(personas: Personas):
    amara = personas.client_of(personas.you)
    url = reverse("safeguarding:client_safety_plan", args=[amara.pk])
    response = signed_in(personas.you).post(url, _form(emergency_plan="", safe_areas="Typed safe areas kept."))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say what to do in an emergency." in html and "Typed safe areas kept." in html
    assert SafetyPlan.objects.count() == 0


def test_client_page_shows_the_plan_near_the_top(personas: Personas, django_assert_max_num_queries):
    amara = personas.client_of(personas.you)
    SafetyPlanFactory(client=amara, updated_by=personas.you, emergency_plan="Call 999, then the duty line.")
    UnsafeArea.objects.create(
        client=amara,
        kind=AreaKind.POSTCODE_DISTRICT,
        area="SE15",
        reason="Threatened",
        source="The client",
        recorded_by=personas.you,
    )
    http = signed_in(personas.you)
    url = reverse("people:client_detail", args=[amara.pk])
    http.get(url)
    with django_assert_max_num_queries(40):
        html = http.get(url).content.decode()
    assert html.index('id="safety-plan-heading"') < html.index('id="safe-contact-heading"')
    assert "Call 999, then the duty line." in html and "SE15" in html
    assert reverse("safeguarding:client_safety_plan", args=[amara.pk]) in html


# ------------------------------------------------------------------------------------------------ API


def test_api_reads_and_writes_the_plan_with_its_version(personas: Personas):
    amara = personas.client_of(personas.you)
    url = f"/api/v1/clients/{amara.pk}/safety-plan"
    for persona, status in PAGE_ACCESS.items():
        assert signed_in(getattr(personas, persona)).get(url).status_code == status, persona
    empty = signed_in(personas.you).get(url).json()
    assert empty == {"plan": None, "unsafe_areas": []}
    body = {k: v for k, v in PLAN.items() if v is not None} | {"version": None}
    refused = signed_in(personas.other_caseworker).put(url, json.dumps(body), content_type="application/json")
    assert refused.status_code == 404
    created = signed_in(personas.you).put(url, json.dumps(body), content_type="application/json")
    assert created.status_code == 200 and created.json()["version"] == 1
    changed = signed_in(personas.teammate).put(
        url, json.dumps(body | {"version": 1, "safe_contacts": "Her aunt only."}), content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = signed_in(personas.you).put(
        url, json.dumps(body | {"version": 1, "safe_contacts": "Mine."}), content_type="application/json"
    )
    assert stale.status_code == 409
    bad = signed_in(personas.you).put(
        url, json.dumps(body | {"version": 2, "relocation_status": "moved"}), content_type="application/json"
    )
    assert bad.status_code == 422 and "moved_on" in bad.json()["errors"]
    plan = signed_in(personas.you).get(url).json()["plan"]
    assert (plan["version"], plan["safe_contacts"]) == (2, "Her aunt only.")
