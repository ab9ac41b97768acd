"""Taking a reading and editing a scale: the default scale is seeded in Keyworker's own words; bad input gets a
clear message and changes nothing; a reading is audited on the client's record; managers alone edit scales,
under optimistic locking; readings fall due on the keyworker's week."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import OutcomeReadingFactory, Personas
from keyworker.outcomes.models import OutcomeDomain, OutcomeReading, OutcomeScale, OutcomeStep, ReadingScore
from keyworker.outcomes.scale_default import DEFAULT_DOMAINS, DEFAULT_SCALE_NAME
from keyworker.outcomes.selectors.readings import readings_due_for
from keyworker.outcomes.services.readings import reading_record, scale_update, step_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_scale() -> None:
    # A transactional test elsewhere may have flushed the seeded scale.
    importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)


# The Outcomes Star's "journey of change" stage names: never used or imitated (its licence forbids it).
LICENSED_WORDS = ("stuck", "accepting help", "believing", "learning", "self-reliance", "self reliance")


def scale() -> OutcomeScale:
    return OutcomeScale.objects.get(name=DEFAULT_SCALE_NAME)


def _counts() -> tuple[int, int, int]:
    return OutcomeReading.objects.count(), ReadingScore.objects.count(), AuditEvent.objects.count()


# -------------------------------------------------------------------------------------- the default scale


def test_the_default_scale_is_seeded_in_our_own_words():
    s = scale()
    assert s.reading_interval_days == 91 and s.is_active
    domains = list(s.domains.order_by("order"))
    assert [d.key for d in domains] == [d.key for d in DEFAULT_DOMAINS]
    assert len(domains) == 9
    for domain in domains:
        steps = list(domain.steps.order_by("value"))
        assert [st.value for st in steps] == [1, 2, 3, 4, 5]
        for st in steps:
            assert st.label and st.description.endswith(".")
            words = f"{st.label} {st.description}".lower()
            assert not any(w in words for w in LICENSED_WORDS), (domain.key, st.label)
    accommodation = s.domains.get(key="accommodation").steps
    assert accommodation.get(value=1).label == "No safe place to stay"
    assert accommodation.get(value=5).label == "Settled home I can keep"
    # every ladder is specific to its domain: no two domains share a label
    labels = list(OutcomeStep.objects.filter(domain__scale=s).values_list("label", flat=True))
    assert len(labels) == len(set(labels))


def test_seeding_again_changes_nothing_and_keeps_a_managers_wording():
    step = scale().domains.get(key="safety").steps.get(value=1)
    step.label = "Reworded by a manager"
    step.save()
    before = (OutcomeScale.objects.count(), OutcomeDomain.objects.count(), OutcomeStep.objects.count())
    importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)
    assert (OutcomeScale.objects.count(), OutcomeDomain.objects.count(), OutcomeStep.objects.count()) == before
    step.refresh_from_db()
    assert step.label == "Reworded by a manager"


# ---------------------------------------------------------------------------------------------- readings


def test_a_reading_keeps_both_views_and_is_audited_on_the_client(personas: Personas):
    client = personas.client_of(personas.you)
    reading = reading_record(
        actor=personas.you,
        client=client,
        scale=scale(),
        taken_on=timezone.localdate(),
        scores={"identity": (3, 2), "safety": (None, 4), "health": (None, None)},
        note="Talked about who he is outside the group.",
    )
    scores = {s.domain.key: (s.client_value, s.worker_value) for s in reading.scores.select_related("domain")}
    assert scores == {"identity": (3, 2), "safety": (None, 4)}  # a domain with neither view is not stored
    event = AuditEvent.objects.get(object_id=str(reading.pk), action=AuditAction.CREATE)
    assert event.client_id == client.pk and event.actor == personas.you


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scores": {"identity": (6, None)}}, "client_identity"),
        ({"scores": {"identity": (None, 0)}}, "worker_identity"),
        ({"scores": {"identity": (None, None)}}, "scores"),
        ({"scores": {}}, "scores"),
        ({"scores": {"not_a_domain": (3, 3)}}, "scores"),
        ({"taken_on": timezone.localdate() + dt.timedelta(days=1)}, "taken_on"),
        ({"taken_on": None}, "taken_on"),
        ({"note": "x" * 5001}, "note"),
    ],
)
def test_bad_input_gets_a_clear_message_and_changes_nothing(personas: Personas, fields, field):
    client = personas.client_of(personas.you)
    before = _counts()
    values = {"taken_on": timezone.localdate(), "scores": {"identity": (3, 3)}, "note": ""} | fields
    with pytest.raises(ValidationFailed) as exc:
        reading_record(actor=personas.you, client=client, scale=scale(), **values)
    assert field in exc.value.field_errors and exc.value.field_errors[field][0]
    assert _counts() == before


def test_a_scale_out_of_use_takes_no_readings(personas: Personas):
    client = personas.client_of(personas.you)
    s = scale()
    s.is_active = False
    s.save()
    with pytest.raises(ValidationFailed) as exc:
        reading_record(
            actor=personas.you, client=client, scale=s, taken_on=timezone.localdate(), scores={"identity": (3, 3)}
        )
    assert "scale" in exc.value.field_errors


@pytest.mark.parametrize(
    "who", ["other_caseworker", "other_manager", "report_viewer", "safeguarding_lead", "peer_mentor"]
)
def test_someone_out_of_reach_cannot_take_a_reading(personas: Personas, who):
    client = personas.client_of(personas.you)
    before = _counts()
    with pytest.raises(NotFound):
        reading_record(
            actor=getattr(personas, who),
            client=client,
            scale=scale(),
            taken_on=timezone.localdate(),
            scores={"identity": (3, 3)},
        )
    assert _counts() == before


# --------------------------------------------------------------------------------------- editing a scale


def test_a_manager_rewords_a_step_and_a_stale_edit_is_refused(personas: Personas):
    step = scale().domains.get(key="identity").steps.get(value=2)
    version = step.version
    step_update(
        actor=personas.manager,
        step=step,
        expected_version=version,
        label="New label",
        description="New words for the step.",
    )
    step.refresh_from_db()
    assert (step.label, step.version) == ("New label", version + 1)
    with pytest.raises(ConcurrentEdit):
        step_update(actor=personas.manager, step=step, expected_version=version, label="Stale", description="Old.")
    step.refresh_from_db()
    assert step.label == "New label"


@pytest.mark.parametrize("who", ["you", "other_caseworker", "report_viewer", "safeguarding_lead", "on_call"])
def test_only_managers_edit_scales(personas: Personas, who):
    s = scale()
    with pytest.raises(NotFound):
        scale_update(
            actor=getattr(personas, who),
            scale=s,
            expected_version=s.version,
            name="Mine",
            reading_interval_days=30,
            is_active=True,
        )
    s.refresh_from_db()
    assert s.name == DEFAULT_SCALE_NAME


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "  "}, "name"),
        ({"reading_interval_days": 0}, "reading_interval_days"),
        ({"reading_interval_days": None}, "reading_interval_days"),
        ({"reading_interval_days": 731}, "reading_interval_days"),
    ],
)
def test_a_bad_scale_edit_changes_nothing(personas: Personas, fields, field):
    s = scale()
    values = {"name": "Renamed", "reading_interval_days": 60, "is_active": True} | fields
    with pytest.raises(ValidationFailed) as exc:
        scale_update(actor=personas.manager, scale=s, expected_version=s.version, **values)
    assert field in exc.value.field_errors
    s.refresh_from_db()
    assert (s.name, s.reading_interval_days) == (DEFAULT_SCALE_NAME, 91)


# ------------------------------------------------------------------------------------------ readings due


def test_readings_fall_due_on_the_keyworkers_week(personas: Personas):
    today = timezone.localdate()
    fresh = personas.client_of(personas.you)  # no reading yet: the baseline is due from the case opening
    recent = personas.client_of(personas.you)
    OutcomeReadingFactory(client=recent, taken_by=personas.you, taken_on=today - dt.timedelta(days=30))
    nearly = personas.client_of(personas.you)
    OutcomeReadingFactory(client=nearly, taken_by=personas.you, taken_on=today - dt.timedelta(days=88))
    teammates = personas.client_of(personas.teammate)
    due = readings_due_for(personas.you, today=today)
    assert [d.client.pk for d in due] == [fresh.pk, nearly.pk]
    assert due[0].last_taken_on is None and due[0].due_on == fresh.cases.get().opened_on
    assert due[1].due_on == today + dt.timedelta(days=3)
    assert teammates.pk not in {d.client.pk for d in readings_due_for(personas.you, today=today)}
    assert readings_due_for(personas.report_viewer, today=today) == []
    s = scale()
    s.is_active = False
    s.save()
    assert readings_due_for(personas.you, today=today) == []


def test_readings_due_take_two_queries(personas: Personas, django_assert_num_queries):
    for i in range(12):
        person = personas.client_of(personas.you)
        if i % 2:
            OutcomeReadingFactory(
                client=person, taken_by=personas.you, taken_on=timezone.localdate() - dt.timedelta(days=100)
            )
    with django_assert_num_queries(2):
        assert len(readings_due_for(personas.you)) == 12
