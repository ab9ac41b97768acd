"""Clients: creating and updating them (services) and finding them (selectors)."""

from __future__ import annotations

import datetime as dt

import pytest

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.testing import CaseFactory, ClientFactory
from keyworker.people import services
from keyworker.people.models import Client, Gender
from keyworker.people.selectors import client_search_for
from keyworker.people.services import client_create, client_update


def _counts() -> tuple[int, int]:
    return Client.objects.count(), AuditEvent.objects.count()


# --- client_create ---------------------------------------------------------------------------------

def test_create_saves_client_and_audit_event(personas):
    client = client_create(
        actor=personas.you, first_name="  Dionne ", last_name="Okafor", preferred_name="Dee",
        gender=Gender.FEMALE, may_leave_voicemail=False, code_word="bluebird",
    )
    stored = Client.objects.get(pk=client.pk)
    assert stored.first_name == "Dionne"  # trimmed
    assert stored.preferred_name == "Dee"
    assert stored.code_word == "bluebird"
    assert stored.version == 1
    event = AuditEvent.objects.get(object_id=str(client.pk))
    assert event.action == AuditAction.CREATE
    assert event.actor == personas.you
    assert event.object_type == "people.client"
    assert event.client_id == client.pk


def test_manager_may_create(personas):
    assert client_create(actor=personas.manager, first_name="Ola").pk


@pytest.mark.parametrize("first_name", ["", "   "])
def test_create_needs_a_first_name(personas, first_name):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        client_create(actor=personas.you, first_name=first_name, last_name="Nobody")
    assert "first_name" in raised.value.field_errors
    assert _counts() == before


def test_create_refuses_unknown_fields(personas):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        client_create(actor=personas.you, first_name="Ola", gang_name="should never exist")
    assert "gang_name" in raised.value.message
    assert _counts() == before


def test_report_viewer_cannot_create(personas):
    before = _counts()
    with pytest.raises(NotAllowed):
        client_create(actor=personas.report_viewer, first_name="Ola")
    assert _counts() == before


def test_inactive_caseworker_cannot_create(personas):
    personas.you.is_active = False
    personas.you.save()
    with pytest.raises(NotAllowed):
        client_create(actor=personas.you, first_name="Ola")


def test_create_rolls_back_when_audit_fails(personas, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        client_create(actor=personas.you, first_name="Ola")
    assert _counts() == before


BAD_VALUES = [("email", "not-an-email"), ("gender", "martian")]


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_create_reports_invalid_field_values_as_validation_failed(personas, field, value):
    before = _counts()
    with pytest.raises(ValidationFailed) as raised:
        client_create(actor=personas.you, first_name="Ola", **{field: value})
    assert field in raised.value.field_errors
    assert _counts() == before


@pytest.mark.parametrize(("field", "value"), BAD_VALUES)
def test_update_reports_invalid_field_values_as_validation_failed(personas, field, value):
    client = personas.client_of(personas.you)
    with pytest.raises(ValidationFailed) as raised:
        client_update(actor=personas.you, client=client, expected_version=1, **{field: value})
    assert field in raised.value.field_errors
    assert Client.objects.get(pk=client.pk).version == 1


# --- client_update ---------------------------------------------------------------------------------

def test_update_changes_fields_bumps_version_and_audits(personas):
    client = personas.client_of(personas.you, phone="")
    updated = client_update(actor=personas.you, client=client, expected_version=1, phone="07700 900123",
                            may_text=False)
    stored = Client.objects.get(pk=client.pk)
    assert stored.phone == "07700 900123"
    assert stored.may_text is False
    assert stored.version == updated.version == 2
    event = AuditEvent.objects.filter(object_id=str(client.pk), action=AuditAction.UPDATE).get()
    assert event.detail == {"fields": ["may_text", "phone"]}
    assert event.actor == personas.you


def test_teammate_and_manager_may_update(personas):
    client = personas.client_of(personas.you)
    client_update(actor=personas.teammate, client=client, expected_version=1, pronouns="she/her")
    client_update(actor=personas.manager, client=client, expected_version=2, postcode="SE11 5AA")
    stored = Client.objects.get(pk=client.pk)
    assert (stored.pronouns, stored.postcode, stored.version) == ("she/her", "SE11 5AA", 3)


@pytest.mark.parametrize("actor", ["other_caseworker", "other_manager", "report_viewer"])
def test_outsiders_cannot_update(personas, actor):
    client = personas.client_of(personas.you, phone="111")
    with pytest.raises(NotAllowed):
        client_update(actor=getattr(personas, actor), client=client, expected_version=1, phone="222")
    stored = Client.objects.get(pk=client.pk)
    assert (stored.phone, stored.version) == ("111", 1)
    assert not AuditEvent.objects.filter(action=AuditAction.UPDATE).exists()


def test_stale_version_is_refused_and_changes_nothing(personas):
    client = personas.client_of(personas.you, phone="111")
    mine = Client.objects.get(pk=client.pk)
    client_update(actor=personas.teammate, client=client, expected_version=1, phone="222")
    events_before = AuditEvent.objects.count()

    with pytest.raises(ConcurrentEdit):
        client_update(actor=personas.you, client=mine, expected_version=1, phone="333", home_area="Brixton")
    stored = Client.objects.get(pk=client.pk)
    assert (stored.phone, stored.version) == ("222", 2)
    assert stored.home_area != "Brixton"
    assert AuditEvent.objects.count() == events_before


def test_update_refuses_blank_first_name(personas):
    client = personas.client_of(personas.you, first_name="Dee")
    with pytest.raises(ValidationFailed) as raised:
        client_update(actor=personas.you, client=client, expected_version=1, first_name="  ")
    assert "first_name" in raised.value.field_errors
    stored = Client.objects.get(pk=client.pk)
    assert (stored.first_name, stored.version) == ("Dee", 1)


def test_update_refuses_unknown_and_protected_fields(personas):
    client = personas.client_of(personas.you)
    for bad in ({"version": 99}, {"id": "x"}, {"created_at": dt.datetime(2000, 1, 1, tzinfo=dt.UTC)}):
        with pytest.raises(ValidationFailed):
            client_update(actor=personas.you, client=client, expected_version=1, **bad)
    assert Client.objects.get(pk=client.pk).version == 1


def test_update_rolls_back_when_audit_fails(personas, monkeypatch):
    client = personas.client_of(personas.you, phone="111")

    def broken(**kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit_event_record", broken)
    with pytest.raises(RuntimeError):
        client_update(actor=personas.you, client=client, expected_version=1, phone="222")
    stored = Client.objects.get(pk=client.pk)
    assert (stored.phone, stored.version) == ("111", 1)


# --- client_search_for -----------------------------------------------------------------------------

@pytest.fixture
def people(personas):
    dionne = personas.client_of(personas.you, first_name="Dionne", last_name="Okafor", preferred_name="Dee")
    marcus = personas.client_of(personas.teammate, first_name="Marcus", last_name="Bellamy")
    # Another team's client who shares a name and whose reference we know: never found by us.
    outsider = personas.client_of(personas.other_caseworker, first_name="Dionne", last_name="Okafor-South")
    return dionne, marcus, outsider


def _ref(client: Client) -> str:
    return client.cases.get().reference


@pytest.mark.parametrize("query", ["Marcus", "marc", "BELLAMY", "lam"])
def test_search_by_first_or_last_name(personas, people, query):
    _, marcus, _ = people
    assert list(client_search_for(personas.you, query)) == [marcus]


def test_search_by_preferred_name(personas, people):
    dionne, _, _ = people
    assert list(client_search_for(personas.you, "dee")) == [dionne]


def test_search_by_case_reference_is_exact_and_case_insensitive(personas, people):
    dionne, _, _ = people
    ref = _ref(dionne)
    assert list(client_search_for(personas.you, ref)) == [dionne]
    assert list(client_search_for(personas.you, ref.lower())) == [dionne]
    assert list(client_search_for(personas.you, ref[:-1])) == []


def test_every_word_must_match(personas, people):
    dionne, _, _ = people
    assert list(client_search_for(personas.you, "dionne okafor")) == [dionne]
    assert list(client_search_for(personas.you, "dionne bellamy")) == []


@pytest.mark.parametrize("who", ["you", "teammate", "manager"])
def test_search_never_returns_another_teams_client(personas, people, who):
    _, _, outsider = people
    user = getattr(personas, who)
    assert outsider not in list(client_search_for(user, "Dionne"))
    assert list(client_search_for(user, _ref(outsider))) == []
    assert list(client_search_for(user, "South")) == []


def test_other_team_finds_only_their_own(personas, people):
    _, _, outsider = people
    assert list(client_search_for(personas.other_caseworker, "Dionne")) == [outsider]
    assert list(client_search_for(personas.other_caseworker, "Marcus")) == []


@pytest.mark.parametrize("who", ["report_viewer"])
def test_search_for_non_casework_roles_finds_nothing(personas, people, who):
    assert list(client_search_for(getattr(personas, who), "Dionne")) == []


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_finds_nothing(personas, people, query):
    assert list(client_search_for(personas.you, query)) == []


def test_results_are_distinct_sorted_and_limited(personas):
    shared = ClientFactory(first_name="Zed", last_name="Twoteams")
    CaseFactory(client=shared, keyworker=personas.you, team=personas.team)
    CaseFactory(client=shared, keyworker=personas.teammate, team=personas.team)
    names = ["Carter", "Abbott", "Brown"]
    for last in names:
        personas.client_of(personas.you, first_name="Zed", last_name=last)
    found = list(client_search_for(personas.you, "zed"))
    assert [c.last_name for c in found] == ["Abbott", "Brown", "Carter", "Twoteams"]
    assert len(list(client_search_for(personas.you, "zed", limit=2))) == 2


def test_safe_contact_field_list_matches_the_shared_model():
    from keyworker.people.models import SAFE_CONTACT_FIELDS, SafeContactRules

    assert tuple(f.name for f in SafeContactRules._meta.fields) == SAFE_CONTACT_FIELDS
