"""The milestones page and its forms, by persona: who sees them, recording by hand, computed kinds refused, a
check that reaches a sustained milestone, the reoffending measure, and bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import MilestoneFactory, Personas, SpellFactory, signed_in
from keyworker.outcomes.models import Milestone, ProvenOffence, Spell, SpellCheck
from keyworker.outcomes.rules.milestones import add_months, long_date

pytestmark = pytest.mark.django_db

ALLOWED = {"you", "teammate", "manager"}


def _url(name: str, *args) -> str:
    return reverse(f"outcomes:{name}", args=args)


def test_milestones_page_by_persona(personas: Personas):
    client = personas.client_of(personas.you, first_name="Dele", last_name="Marker")
    MilestoneFactory(client=client, recorded_by=personas.you, detail="Forklift licence")
    everyone = {**personas.everyone(), "peer_mentor": personas.peer_mentor}
    for name, user in everyone.items():
        http = signed_in(user)
        for page in ("client_milestones", "milestone_new", "spell_new", "proven_offence_new"):
            response = http.get(_url(page, client.pk))
            expected = 200 if name in ALLOWED else 404
            assert response.status_code == expected, (name, page, response.status_code)
            if expected == 404:
                assert "Marker" not in response.content.decode()
    http = signed_in(personas.you)
    assert (
        f'href="{_url("client_milestones", client.pk)}"'
        in http.get(reverse("people:client_detail", args=[client.pk])).content.decode()
    )


def test_the_page_shows_milestones_spells_offences_and_the_measure(personas: Personas):
    client = personas.client_of(personas.you)
    start = timezone.localdate() - dt.timedelta(days=60)
    client.cases.update(opened_on=start)
    MilestoneFactory(client=client, recorded_by=personas.teammate, detail="Forklift licence", evidence="Seen it.")
    spell = SpellFactory(client=client, recorded_by=personas.you, description="Kitchen porter, Example Cafe")
    SpellCheck.objects.create(
        spell=spell,
        checked_on=timezone.localdate(),
        still_going=True,
        evidence_kind="document",
        note="Payslip seen",
        checked_by=personas.you,
    )
    ProvenOffence.objects.create(
        client=client,
        offence_on=start,
        proven_on=start,
        description="Shoplifting",
        source="Court result",
        recorded_by=personas.you,
    )
    response = signed_in(personas.you).get(_url("client_milestones", client.pk))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Forklift licence" in body and "Seen it." in body and personas.teammate.display_name in body
    assert "Kitchen porter, Example Cafe" in body and "Payslip seen" in body
    assert "Add a check" in body and _url("spell_check_new", spell.pk) in body
    assert "Shoplifting" in body
    assert f"Not yet measurable until {long_date(add_months(start, 18))}" in body
    assert AuditEvent.objects.filter(actor=personas.you, client_id=client.pk, action=AuditAction.VIEW).exists()


def test_record_a_milestone_on_the_page(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    response = http.post(
        _url("milestone_new", client.pk),
        {
            "kind": "left_group",
            "achieved_on": timezone.localdate().isoformat(),
            "evidence_kind": "self_report",
            "evidence": "Told me he has cut contact.",
            "detail": "",
        },
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(client=client)
    assert milestone.kind == "left_group" and milestone.recorded_by == personas.you


def test_a_computed_kind_or_wrong_evidence_is_refused_on_the_page(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    today = timezone.localdate().isoformat()
    # the computed kinds are not even offered
    page = http.get(_url("milestone_new", client.pk)).content.decode()
    assert 'value="work_13"' not in page and 'value="entered_ete"' in page
    response = http.post(
        _url("milestone_new", client.pk),
        {"kind": "left_group", "achieved_on": today, "evidence_kind": "document", "evidence": "Letter"},
    )
    assert response.status_code == 422
    assert "self-report" in response.content.decode()
    response = http.post(
        _url("milestone_new", client.pk),
        {"kind": "work_13", "achieved_on": today, "evidence_kind": "document", "evidence": "Payslip"},
    )
    assert response.status_code == 422
    assert not Milestone.objects.exists()


def test_a_check_on_the_page_reaches_13_weeks(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    start = timezone.localdate() - dt.timedelta(weeks=14)
    response = http.post(
        _url("spell_new", client.pk),
        {"kind": "work", "description": "Warehouse operative", "started_on": start.isoformat()},
    )
    assert response.status_code == 302
    spell = Spell.objects.get(client=client)
    assert http.get(_url("spell_check_new", spell.pk)).status_code == 200
    response = http.post(
        _url("spell_check_new", spell.pk),
        {
            "still_going": "yes",
            "checked_on": timezone.localdate().isoformat(),
            "evidence_kind": "document",
            "note": "Payslip seen",
        },
    )
    assert response.status_code == 302
    assert Milestone.objects.get(client=client).kind == "work_13"
    body = http.get(_url("client_milestones", client.pk)).content.decode()
    assert "In work, sustained 13 weeks" in body and "Worked out from records by" in body
    # a bad check: a clear message, nothing saved
    response = http.post(_url("spell_check_new", spell.pk), {"still_going": "", "checked_on": "31/31/2027"})
    assert response.status_code == 422
    assert "Say whether it is still going." in response.content.decode()
    assert SpellCheck.objects.count() == 1


def test_spell_check_page_follows_the_client(personas: Personas):
    client = personas.client_of(personas.you, last_name="Spellmarker")
    spell = SpellFactory(client=client, recorded_by=personas.you)
    everyone = {**personas.everyone(), "peer_mentor": personas.peer_mentor}
    for name, user in everyone.items():
        http = signed_in(user)
        get = http.get(_url("spell_check_new", spell.pk))
        post = http.post(_url("spell_check_new", spell.pk), {"still_going": "yes"})
        if name in ALLOWED:
            assert (get.status_code, post.status_code) == (200, 422), name
        else:
            assert (get.status_code, post.status_code) == (404, 404), name
            assert "Spellmarker" not in get.content.decode()
    assert not SpellCheck.objects.exists()


def test_record_a_proven_offence_on_the_page(personas: Personas):
    client = personas.client_of(personas.you)
    http = signed_in(personas.you)
    today = timezone.localdate()
    response = http.post(
        _url("proven_offence_new", client.pk),
        {
            "description": "Theft",
            "offence_on": today.isoformat(),
            "proven_on": (today - dt.timedelta(days=1)).isoformat(),
            "source": "Court",
        },
    )
    assert response.status_code == 422
    assert "cannot be proven before" in response.content.decode()
    assert not ProvenOffence.objects.exists()
    response = http.post(
        _url("proven_offence_new", client.pk),
        {"description": "Theft", "offence_on": today.isoformat(), "proven_on": today.isoformat(), "source": "Court"},
    )
    assert response.status_code == 302 and ProvenOffence.objects.count() == 1


def test_milestones_page_queries_are_bounded(personas: Personas, django_assert_max_num_queries):
    client = personas.client_of(personas.you)
    for i in range(6):
        MilestoneFactory(client=client, recorded_by=personas.teammate, detail=f"Milestone {i}")
        spell = SpellFactory(client=client, recorded_by=personas.you, description=f"Job {i}")
        for days in (10, 5):
            SpellCheck.objects.create(
                spell=spell,
                checked_on=timezone.localdate() - dt.timedelta(days=days),
                still_going=True,
                evidence_kind="document",
                checked_by=personas.teammate,
            )
        ProvenOffence.objects.create(
            client=client,
            offence_on=timezone.localdate(),
            proven_on=timezone.localdate(),
            description="Theft",
            source="Court",
            recorded_by=personas.you,
        )
    http = signed_in(personas.you)
    http.get(_url("client_milestones", client.pk))  # warm the session
    with django_assert_max_num_queries(20):
        response = http.get(_url("client_milestones", client.pk))
    assert response.status_code == 200
    assert response.content.decode().count("Add a check") == 6
