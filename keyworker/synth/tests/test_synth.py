"""`keyworker synth`: deterministic rows that satisfy the models, a whole audit chain, pages that render, and
a refusal to touch a database that already holds clients."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse

from keyworker.accounts.models import ApiToken, Role, User, api_token_hash
from keyworker.audit.chain import verify_chain
from keyworker.audit.models import AuditEvent
from keyworker.casework.models import Case, CaseStatus, Contact
from keyworker.core.sequences import next_value
from keyworker.core.testing import signed_in
from keyworker.diary.models import Appointment
from keyworker.intake.models import Referral
from keyworker.people.models import Client
from keyworker.synth.generate import SCALES, Reference, Synth, api_token_for
from keyworker.synth.run import NotEmpty, reference_rows, synth_run

TODAY = dt.date(2026, 11, 27)  # a Friday
TINY = SCALES["tiny"]


def _all_rows(synth: Synth) -> list[tuple[str, list[dict[str, Any]]]]:
    return [(model._meta.label, list(rows)) for model, rows in synth.tables()]


def _synth(seed: int = 1) -> Synth:
    reference = Reference(prisons=(), courts=())
    return Synth(TINY, seed=seed, today=TODAY, reference=reference, password_hash="x")


def test_the_same_seed_gives_the_same_rows_and_another_seed_does_not() -> None:
    first, again = _all_rows(_synth()), _all_rows(_synth())
    assert first == again
    assert repr(first) == repr(again)  # byte for byte, down to the order of rows and keys
    other = _all_rows(_synth(seed=2))
    assert dict(other)["people.Client"] != dict(first)["people.Client"]


def test_contacts_are_heavy_tailed_and_charity_scale_has_clients_with_2000_or_more() -> None:
    synth = Synth(SCALES["charity"], seed=1, today=TODAY, reference=Reference((), ()), password_hash="x")
    counts = sorted(synth.contacts_per_client, reverse=True)
    assert sum(counts) == 150_000
    assert len([c for c in counts if c >= 2000]) >= 2
    assert counts[len(counts) // 2] < 30  # most histories are short


@pytest.fixture
def loaded(db: None) -> Any:
    return synth_run(TINY, seed=1, password="synthetic-pass", using="default", today=TODAY)


def test_tiny_scale_loads_the_counts_of_its_scale(loaded: Any) -> None:
    assert Client.objects.count() == TINY.clients
    assert User.objects.filter(email__endswith="@synth.keyworker.test").count() == TINY.staff
    assert Contact.objects.count() == TINY.contacts
    assert Appointment.objects.count() == TINY.appointments
    assert Referral.objects.count() == TINY.referrals
    assert AuditEvent.objects.count() == TINY.audit_events
    assert 1.1 <= Case.objects.count() / TINY.clients <= 1.5
    loaded_rows = {t.table: t.rows for t in loaded.loaded}
    assert loaded_rows["casework.Contact"] == TINY.contacts


def test_every_caseworker_holds_15_to_40_open_cases(loaded: Any) -> None:
    caseworkers = User.objects.filter(role=Role.CASEWORKER)
    assert caseworkers.exists()
    for worker in caseworkers:
        held = Case.objects.filter(keyworker=worker, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]).count()
        assert 15 <= held <= 40, (worker.email, held)
    closed = Case.objects.filter(status=CaseStatus.CLOSED)
    assert closed.exists()
    assert not closed.filter(closed_on__isnull=True).exists()
    assert not closed.filter(closure_reason="").exists()


def test_a_sample_of_every_table_passes_full_clean(loaded: Any) -> None:
    for table in loaded.loaded:
        if "." not in table.table or "," in table.table:
            continue
        model: type[models.Model] = _model(table.table)
        for obj in model._base_manager.all()[:25]:
            obj.full_clean()


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


def test_the_audit_chain_verifies(loaded: Any) -> None:
    verdict = verify_chain()
    assert verdict.ok, verdict.problem
    assert verdict.count == TINY.audit_events


def test_the_apps_next_case_reference_does_not_collide(loaded: Any) -> None:
    reference = f"KW-{next_value('case'):06d}"
    assert not Case.objects.filter(reference=reference).exists()
    assert Case.objects.filter(reference=f"KW-{int(reference[3:]) - 1:06d}").exists()


def test_api_tokens_are_made_for_the_bench(loaded: Any) -> None:
    row = next(s for s in loaded.sign_ins if s.api_token)
    token = ApiToken.objects.get(token_hash=api_token_hash(row.api_token))
    assert token.owner.email == row.email
    assert row.api_token == api_token_for(row.email, 1)


def test_a_client_page_and_my_week_render_for_a_synthetic_caseworker(
    loaded: Any, django_assert_max_num_queries: Any
) -> None:
    worker = User.objects.filter(role=Role.CASEWORKER).order_by("email").first()
    assert worker is not None
    busiest = (
        Client.objects.filter(cases__keyworker=worker, cases__status=CaseStatus.OPEN)
        .annotate(n=models.Count("contacts", distinct=True))
        .order_by("-n")
        .first()
    )
    assert busiest is not None
    http = signed_in(worker)
    with django_assert_max_num_queries(30):
        page = http.get(reverse("people:client_detail", args=[busiest.pk]))
    assert page.status_code == 200
    assert busiest.first_name in page.content.decode()
    with django_assert_max_num_queries(30):
        week = http.get(reverse("diary:my_week"))
    assert week.status_code == 200


def test_a_second_run_into_a_database_with_clients_is_refused_and_changes_nothing(loaded: Any) -> None:
    before = (Client.objects.count(), Contact.objects.count(), AuditEvent.objects.count(), User.objects.count())
    with pytest.raises(NotEmpty):
        synth_run(TINY, seed=2, password="x", using="default", today=TODAY)
    with pytest.raises(CommandError, match="already holds clients"):
        call_command("synth", "--scale", "tiny", stdout=StringIO())
    after = (Client.objects.count(), Contact.objects.count(), AuditEvent.objects.count(), User.objects.count())
    assert after == before


def test_the_command_loads_and_prints_rows_and_sign_ins(db: None) -> None:
    out = StringIO()
    call_command("synth", "--scale", "tiny", "--today", TODAY.isoformat(), "--fraction", "0.5", stdout=out)
    text = out.getvalue()
    assert "casework.Contact" in text and "1,500" in text
    assert "@synth.keyworker.test" in text and "Loaded" in text
    assert Client.objects.count() == 100
    assert reference_rows("default").first_case_number == Case.objects.count() + 1
