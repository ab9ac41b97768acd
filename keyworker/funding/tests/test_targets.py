"""A funding stream's targets: managers set (add or change) and remove them on the stream's page, everyone
who reads the stream sees them; bad input changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.testing import FundingStreamFactory, Personas, StreamTargetFactory, UserFactory, signed_in
from keyworker.funding.models import FundingStream, StreamTarget, TargetMeasure
from keyworker.funding.services import stream_target_remove, stream_target_set

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[str, str, int, str]]:
    return sorted((str(t.stream_id), t.measure, t.target, t.note) for t in StreamTarget.objects.all())


def _url(stream: FundingStream) -> str:
    return reverse("funding:stream_detail", args=[stream.pk])


# ------------------------------------------------------------------------------------------------ services


def test_set_adds_then_changes_one_target_per_measure(personas: Personas):
    stream = FundingStreamFactory()
    events = AuditEvent.objects.count()
    added = stream_target_set(
        actor=personas.manager, stream=stream, measure=TargetMeasure.ENTERED_ETE, target=20, note="Into ETE"
    )
    assert (added.target, added.note) == (20, "Into ETE")
    changed = stream_target_set(actor=personas.manager, stream=stream, measure=TargetMeasure.ENTERED_ETE, target=25)
    assert changed.pk == added.pk and StreamTarget.objects.get().target == 25
    assert StreamTarget.objects.get().note == ""
    created, updated = AuditEvent.objects.order_by("occurred_at", "pk")[events:]
    assert created.action == AuditAction.CREATE and created.detail["measure"] == "entered_ete"
    assert updated.action == AuditAction.UPDATE and updated.detail["target"] == 25
    assert "Into ETE" not in str(created.detail) + str(updated.detail)


@pytest.mark.parametrize(
    ("measure", "target", "field"),
    [
        ("entered_ete", -1, "target"),
        ("entered_ete", "twenty", "target"),
        ("entered_ete", 2.5, "target"),
        ("entered_ete", True, "target"),
        ("entered_ete", None, "target"),
        ("not_a_measure", 10, "measure"),
        ("", 10, "measure"),
    ],
)
def test_bad_input_changes_nothing(personas: Personas, measure, target, field):
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENTERED_ETE, target=20)
    before, events = _snapshot(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        stream_target_set(actor=personas.manager, stream=stream, measure=measure, target=target)
    assert field in exc.value.field_errors
    assert _snapshot() == before and AuditEvent.objects.count() == events


def test_a_note_too_long_changes_nothing(personas: Personas):
    stream = FundingStreamFactory()
    with pytest.raises(ValidationFailed) as exc:
        stream_target_set(actor=personas.manager, stream=stream, measure="engaged", target=5, note="x" * 201)
    assert "note" in exc.value.field_errors and not StreamTarget.objects.exists()


def test_only_managers_set_and_remove(personas: Personas):
    stream = FundingStreamFactory()
    target = StreamTargetFactory(stream=stream)
    for user in (personas.you, personas.report_viewer, personas.safeguarding_lead, personas.data_protection_officer):
        with pytest.raises(NotAllowed):
            stream_target_set(actor=user, stream=stream, measure="engaged", target=3)
        with pytest.raises(NotAllowed):
            stream_target_remove(actor=user, target=target)
    assert _snapshot() == [(str(stream.pk), "entered_ete", 20, "")]


def test_remove_records_what_it_was(personas: Personas):
    stream = FundingStreamFactory()
    target = StreamTargetFactory(stream=stream, measure=TargetMeasure.DRUG_FREE, target=7)
    stream_target_remove(actor=personas.other_manager, target=target)
    assert not StreamTarget.objects.exists()
    event = AuditEvent.objects.latest("occurred_at")
    assert event.object_id == str(stream.pk)
    assert event.detail == {"target_removed": str(target.pk), "measure": "drug_free", "target": 7}


# --------------------------------------------------------------------------------------------------- pages


def test_everyone_who_reads_the_stream_sees_its_targets(personas: Personas):
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.WORK_13_WEEKS, target=12, note="Sustained work")
    on_call = personas.on_call
    for user in (personas.you, personas.teammate, personas.other_caseworker, personas.manager, on_call):
        page = signed_in(user).get(_url(stream))
        assert page.status_code == 200
        html = page.content.decode()
        assert TargetMeasure.WORK_13_WEEKS.label in html and ">12<" in html and "Sustained work" in html
        assert ("Set target" in html) == (user == personas.manager)
    for user in (personas.report_viewer, personas.safeguarding_lead, personas.data_protection_officer):
        assert signed_in(user).get(_url(stream)).status_code == 404


def test_a_manager_adds_changes_and_removes_a_target_on_the_page(personas: Personas):
    stream = FundingStreamFactory()
    http = signed_in(personas.manager)
    added = http.post(_url(stream), {"action": "set_target", "measure": "referred", "target": "40", "note": ""})
    assert added.status_code == 302
    assert _snapshot() == [(str(stream.pk), "referred", 40, "")]
    page = http.get(_url(stream)).content.decode()
    assert "Target added: People referred, 40." in page
    changed = http.post(_url(stream), {"action": "set_target", "measure": "referred", "target": "45", "note": "Q1"})
    assert changed.status_code == 302 and _snapshot() == [(str(stream.pk), "referred", 45, "Q1")]
    assert "Target changed" in http.get(_url(stream)).content.decode()
    target = StreamTarget.objects.get()
    removed = http.post(_url(stream), {"action": "remove_target", "target": str(target.pk)})
    assert removed.status_code == 302 and not StreamTarget.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"measure": "referred", "target": "-3"}, "The target cannot be below 0."),
        ({"measure": "referred", "target": "lots"}, "Enter the target as a whole number, like 20."),
        ({"measure": "referred", "target": ""}, "Enter the target."),
        ({"measure": "nonsense", "target": "3"}, "Choose what the target counts."),
        ({"measure": "referred", "target": "3", "note": "n" * 201}, "Keep the note to 200 characters or fewer."),
    ],
)
def test_bad_input_on_the_page_is_a_clear_message_and_changes_nothing(personas: Personas, data, message):
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.REFERRED, target=10)
    http = signed_in(personas.manager)
    before, events = _snapshot(), AuditEvent.objects.count()
    response = http.post(_url(stream), {"action": "set_target", **data})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html and "There is a problem" in html and "<title>Error:" in html
    assert _snapshot() == before and AuditEvent.objects.count() == events


def test_the_unique_constraint_is_a_message_not_a_500(personas: Personas, monkeypatch):
    """Two managers adding the same measure at once: the second meets the constraint, not a crash."""
    stream = FundingStreamFactory()
    StreamTargetFactory(stream=stream, measure=TargetMeasure.ENGAGED, target=10)
    # The first manager's row is there, but the second's lookup ran before it was committed.
    monkeypatch.setattr(
        "keyworker.funding.services.StreamTarget.objects.select_for_update",
        lambda: StreamTarget.objects.none(),
    )
    with pytest.raises(ValidationFailed) as exc:
        stream_target_set(actor=personas.manager, stream=stream, measure="engaged", target=12)
    assert "measure" in exc.value.field_errors
    assert _snapshot() == [(str(stream.pk), "engaged", 10, "")]


def test_others_cannot_post_to_the_page(personas: Personas):
    stream = FundingStreamFactory()
    target = StreamTargetFactory(stream=stream)
    dpo = personas.data_protection_officer
    admin = UserFactory(email="admin@t.test", role=Role.ADMINISTRATOR, team=None, is_staff=True)
    users = (personas.you, personas.other_caseworker, personas.on_call, personas.report_viewer, dpo, admin)
    for user in users:
        http = signed_in(user)
        assert http.post(_url(stream), {"action": "set_target", "measure": "engaged", "target": "3"}).status_code == 404
        assert http.post(_url(stream), {"action": "remove_target", "target": str(target.pk)}).status_code == 404
    assert _snapshot() == [(str(stream.pk), "entered_ete", 20, "")]


def test_removing_another_streams_target_is_404(personas: Personas):
    stream, other = FundingStreamFactory(), FundingStreamFactory()
    theirs = StreamTargetFactory(stream=other)
    response = signed_in(personas.manager).post(_url(stream), {"action": "remove_target", "target": str(theirs.pk)})
    assert response.status_code == 404 and StreamTarget.objects.filter(pk=theirs.pk).exists()
