"""Subject access (the foundation of issue 10): every kind of record about a client is classified (a new model
fails here until someone decides), the record holds everything included, withholds third parties' information
with the reason and a count, and `keyworker sar export` writes it and audits the export."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import (
    ConcernFactory,
    ContactFactory,
    CrisisCallFactory,
    LoneWorkingVisitFactory,
    RiskReviewFactory,
    SafetyPlanFactory,
    ServiceFactory,
    TaskFactory,
    UserFactory,
)
from keyworker.intake.models import AgencyKind
from keyworker.intake.services import consent_record
from keyworker.people.models import Client
from keyworker.privacy import subject_access
from keyworker.privacy.models import Disclosure
from keyworker.privacy.subject_access import (
    ANOTHER_PERSON,
    SUBJECT_ACCESS,
    Kind,
    Treatment,
    client_relations,
    subject_access_record,
)
from keyworker.safeguarding.models import (
    AccessRule,
    AccessRuleKind,
    ConcernAction,
    ConcernActionKind,
    KeepApart,
    LawfulBasis,
    NrmReferral,
    SharingDecision,
)
from keyworker.services.services.referrals import outbound_referral_create, outbound_referral_send

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------------ the registry


def _tree(treatments: dict[str, Treatment]) -> list[tuple[str, Treatment]]:
    found = []
    for label, treatment in treatments.items():
        found.append((label, treatment))
        found.extend(_tree(treatment.nested))
    return found


def test_every_model_related_to_a_client_is_classified():
    """A model with a foreign key or one-to-one to Client (hidden ones too) fails here until it is given an
    INCLUDE, WITHHOLD or EXCLUDE entry; an entry for a model no longer related is stale."""
    related = set(client_relations())
    assert "safeguarding.keepapart" in related, "hidden relations (related_name='+') count too"
    assert related - set(SUBJECT_ACCESS) == set(), "models related to Client missing from SUBJECT_ACCESS"
    assert set(SUBJECT_ACCESS) - related == set(), "SUBJECT_ACCESS entries for models not related to Client"


def test_every_entry_says_where_it_goes_and_why():
    sections = []
    for label, treatment in _tree(SUBJECT_ACCESS):
        apps.get_model(label)  # a real model
        if treatment.kind == Kind.INCLUDE:
            assert treatment.section, label
            sections.append(treatment.section)
            for name in (*treatment.drop, *treatment.omit):
                apps.get_model(label)._meta.get_field(name)  # a real field
        else:
            assert treatment.why, (label, "a withheld or excluded kind of record needs its reason")
        if treatment.kind == Kind.WITHHOLD:
            assert treatment.section, label
        if treatment.rest is not None:
            assert treatment.rest.why, label
    top = [t.section for t in SUBJECT_ACCESS.values() if t.kind == Kind.INCLUDE]
    assert len(top) == len(set(top)), "one section per kind of record"


def test_every_child_record_of_an_included_record_is_classified():
    """Records that hang off an included record (a note's amendments, a concern's actions...) without their own
    key to Client must be nested under it, so they cannot be forgotten either."""
    tree = _tree(SUBJECT_ACCESS)
    somewhere = {label for label, _ in tree}
    missing = []
    for label, treatment in tree:
        if treatment.kind != Kind.INCLUDE:
            continue
        for rel in apps.get_model(label)._meta.get_fields(include_hidden=True):
            if not isinstance(rel, models.ForeignObjectRel):
                continue
            child = rel.related_model
            if child._meta.auto_created:  # a many-to-many table: shown as the field itself
                continue
            child_label = child._meta.label_lower
            if subject_access._has_client_key(child) or child_label in treatment.nested or child_label in somewhere:
                continue
            missing.append((label, child_label))
    assert not missing, f"child records not classified for subject access: {missing}"


def test_an_unclassified_model_stops_the_export(personas, monkeypatch):
    client = personas.client_of(personas.you)
    monkeypatch.delitem(SUBJECT_ACCESS, "casework.task")
    with pytest.raises(LookupError, match=r"casework\.task"):
        subject_access_record(client)


# ----------------------------------------------------------------------------------------- the record


def _client_with_a_file(p) -> Client:
    """Contacts, a task, a concern about him (with an action, a sharing decision, an NRM referral), a risk
    review, a safety plan, a crisis call (with its sharing decision), and a referral out with its disclosure."""
    client = p.client_of(p.you, first_name="Dwayne", last_name="Fictional-Client", phone="07700 900321")
    case = client.cases.get()
    ContactFactory(client=client, case=case, recorded_by=p.you, note="Talked about the course; keen to start.")
    ContactFactory(client=client, case=case, recorded_by=p.teammate, note="Phoned: his mum says he is at work.")
    TaskFactory(client=client, case=case, owner=p.you, title="Chase the housing officer")
    concern = ConcernFactory(
        client=client, recorded_by=p.you, what_was_disclosed="Said he has been cutting his arms again."
    )
    ConcernAction.objects.create(
        concern=concern, kind=ConcernActionKind.SAFEGUARDING_LEAD, taken_on=timezone.localdate(), taken_by=p.you
    )
    SharingDecision.objects.create(
        concern=concern,
        shared=True,
        shared_with="His GP",
        lawful_basis=LawfulBasis.VITAL_INTERESTS,
        reasons="Risk to life.",
        decided_by=p.safeguarding_lead,
        decided_at=timezone.now(),
    )
    NrmReferral.objects.create(
        concern=concern, first_responder="Local authority", referred_on=timezone.localdate(), recorded_by=p.you
    )
    RiskReviewFactory(client=client, reviewed_by=p.you, reasons="Rival group knows his address.")
    SafetyPlanFactory(client=client, updated_by=p.you, emergency_plan="Go to his aunt's, call the duty line.")
    call = CrisisCallFactory(client=client, taken_by=p.on_call, what_happened="Friends robbed a shop; he ran.")
    SharingDecision.objects.create(
        crisis_call=call,
        shared=False,
        lawful_basis=LawfulBasis.NOT_APPLICABLE,
        reasons="No one at immediate risk.",
        decided_by=p.on_call,
        decided_at=timezone.now(),
    )
    consent_record(
        actor=p.you,
        client=client,
        agency_kinds=[AgencyKind.DRUG_AND_ALCOHOL],
        method="verbal",
        given_on=timezone.localdate(),
    )
    referral = outbound_referral_create(
        actor=p.you,
        client=client,
        service=ServiceFactory(name="Brief Intervention Service"),
        reason="Cocaine, about 300 pounds a week.",
        shared="Name, phone, drug use.",
    )
    outbound_referral_send(actor=p.you, referral=referral, expected_version=referral.version)
    return client


def test_the_record_holds_everything_about_him(personas):
    p = personas
    client = _client_with_a_file(p)
    record = subject_access_record(client)
    json.dumps(record)  # serialisable as it is
    text = json.dumps(record)
    assert record["subject_access_record"]["client_id"] == str(client.pk)
    assert record["client"]["first_name"] == "Dwayne" and record["client"]["phone"] == "07700 900321"
    assert record["client"]["gender_display"] == "Prefers not to say" and "version" not in record["client"]
    assert record["client"]["date_of_birth"] == "2002-03-14"
    sections = record["sections"]

    notes = {row["note"] for row in sections["Contacts and notes"]}
    assert notes == {"Talked about the course; keen to start.", "Phoned: his mum says he is at work."}
    contact = sections["Contacts and notes"][0]
    assert contact["kind"] == "phone" and contact["kind_display"] == "Phone call"
    assert contact["recorded_by"] in {"Jo Caseworker", "Kim Teammate"}
    assert "client" not in contact, "the person themself is not repeated on each row"
    assert contact["amendments"] == []
    assert [t["title"] for t in sections["Tasks"]] == ["Chase the housing officer"]

    (concern,) = sections["Safeguarding concerns about you"]
    assert concern["what_was_disclosed"] == "Said he has been cutting his arms again."
    assert concern["category_display"] == "Self-harm or suicide"
    assert [a["kind_display"] for a in concern["actions"]] == ["Referred to the safeguarding lead"]
    assert concern["sharing_decisions"][0]["shared_with"] == "His GP"
    assert concern["sharing_decisions"][0]["decided_by"] == "Sol Safeguarding"
    assert concern["nrm_referrals"][0]["first_responder"] == "Local authority"

    assert sections["Risk reviews"][0]["reasons"] == "Rival group knows his address."
    assert sections["Risk reviews"][0]["risk_from_others_display"] == "Medium"
    assert sections["Safety plan"][0]["emergency_plan"] == "Go to his aunt's, call the duty line."
    (call,) = sections["Calls to the on-call line"]
    assert call["what_happened"] == "Friends robbed a shop; he ran." and call["taken_by"] == "Oli Oncall"
    assert call["sharing_decisions"][0]["reasons"] == "No one at immediate risk."
    dt.datetime.fromisoformat(call["received_at"])  # a datetime, as text

    (referral,) = sections["Referrals to other services"]
    assert referral["service"].startswith("Brief Intervention Service") and referral["status_display"] == "Sent"
    assert [u["status"] for u in referral["updates"]] == ["sent"]
    (disclosure,) = sections["Disclosure log: what about you was shared, with whom and why"]
    assert disclosure["what"] == "Name, phone, drug use." and disclosure["disclosed_by"] == "Jo Caseworker"
    assert sections["Consent and lawful basis"][0]["method"] == "verbal"
    assert sections["Cases (episodes of support)"][0]["keyworker"] == "Jo Caseworker"
    assert record["withheld"] == [] and "Cocaine, about 300 pounds a week." in text


def _count_included(label: str, treatment: Treatment, client: Client) -> int:
    model = apps.get_model(label)
    queryset = subject_access._queryset_for(model, client_relations()[label], client)
    if treatment.only is not None:
        queryset = queryset.filter(treatment.only(client))
    return queryset.count()


def test_each_included_section_holds_exactly_its_rows(personas):
    p = personas
    client = _client_with_a_file(p)
    other = _client_with_a_file(p)  # someone else's file must not leak into his
    ConcernFactory(client=client, recorded_by=p.you, about="third_party")  # left out entirely
    record = subject_access_record(client)
    non_empty = 0
    for label, treatment in SUBJECT_ACCESS.items():
        if treatment.kind != Kind.INCLUDE:
            assert treatment.section not in record["sections"], label
            continue
        rows = record["sections"][treatment.section]
        assert len(rows) == _count_included(label, treatment, client), label
        non_empty += bool(rows)
        ids = {row["id"] for row in rows}
        theirs = subject_access._queryset_for(apps.get_model(label), client_relations()[label], other)
        assert not ids & {str(pk) for pk in theirs.values_list("pk", flat=True)}, label
    assert non_empty == 10  # case, contacts, task, concern, risk, safety plan, call, consent, referral, disclosure
    assert len(record["sections"]["Safeguarding concerns about you"]) == 1


def test_third_party_information_is_withheld_with_the_reason_and_a_count(personas):
    p = personas
    client = p.client_of(p.you)
    rival = p.client_of(p.you, first_name="Tyrese", last_name="Fictional-Rival")
    first, second = sorted([client, rival], key=lambda c: c.pk)
    KeepApart.objects.create(
        client_a=first, client_b=second, reason="Tyrese threatened him", source="police", recorded_by=p.you
    )
    LoneWorkingVisitFactory(client=client, staff=p.you, buddy=p.teammate, with_whom="his cousin Shanice")
    rule = AccessRule.objects.create(
        client=client,
        kind=AccessRuleKind.EXCLUSION,
        reason="Kim is the victim's aunt.",
        message="Not for you.",
        starts_at=timezone.now(),
        set_by=p.manager,
    )
    rule.staff.set([p.teammate])
    record = subject_access_record(client)
    text = json.dumps(record)
    for secret in ("Tyrese", "Fictional-Rival", "threatened", "Shanice", "victim's aunt", "Not for you."):
        assert secret not in text, secret
    assert {
        "section": "People you should not be booked together with",
        "count": 1,
        "reason": SUBJECT_ACCESS["safeguarding.keepapart"].why,
    } in record["withheld"]
    (visit,) = record["sections"]["Lone-working visits"]
    assert "with_whom" not in visit and visit["staff"] == "Jo Caseworker"
    (restriction,) = record["sections"]["Restrictions on who may open the record"]
    assert restriction["kind_display"].startswith("Exclusion") and restriction["set_by"] == "Morgan Manager"
    assert "staff" not in restriction and "reason" not in restriction
    left_out = {entry["section"]: entry["fields"] for entry in record["withheld_fields"]}
    assert left_out["Lone-working visits"] == ["with_whom"]
    assert left_out["Restrictions on who may open the record"] == ["staff", "reason", "message"]


def test_the_number_of_queries_does_not_grow_with_the_record(personas, django_assert_max_num_queries):
    p = personas
    client = _client_with_a_file(p)
    with CaptureQueriesContext(connection) as small:
        subject_access_record(client)
    case = client.cases.get()
    for n in range(5):
        ContactFactory(client=client, case=case, recorded_by=p.teammate, note=f"Note {n}")
        ConcernFactory(client=client, recorded_by=p.you)
        CrisisCallFactory(client=client, taken_by=p.on_call)
    with django_assert_max_num_queries(len(small.captured_queries)):
        record = subject_access_record(client)
    assert len(record["sections"]["Contacts and notes"]) == 7


def test_a_row_never_names_another_person(personas):
    """The safety net under the registry: any other client or third party a row points at is "another person",
    never their name, and is not even loaded."""
    p = personas
    client = p.client_of(p.you)
    rival = p.client_of(p.you, first_name="Tyrese")
    first, second = sorted([client, rival], key=lambda c: c.pk)
    pair = KeepApart.objects.create(client_a=first, client_b=second, reason="-", source="-", recorded_by=p.you)
    row = subject_access._row(pair, client, ())
    other_field = "client_b" if first == client else "client_a"
    assert row[other_field] == ANOTHER_PERSON and "Tyrese" not in json.dumps(row)
    concern = ConcernFactory(client=client, about="third_party", third_party__name="Jade")
    row = subject_access._row(concern, client, ())
    assert row["third_party"] == ANOTHER_PERSON and "Jade" not in json.dumps(row)


def test_the_audit_trail_says_who_looked_and_when_without_internals(personas):
    p = personas
    client = p.client_of(p.you)
    http = HttpClient()
    http.force_login(p.teammate)
    assert http.get(reverse("people:client_detail", args=[client.pk])).status_code == 200
    record = subject_access_record(client)
    views = [e for e in record["audit_trail"] if e["action"] == AuditAction.VIEW]
    assert views and views[-1]["who"] == "Kim Teammate" and views[-1]["role"] == "Caseworker"
    assert views[-1]["action_display"] == "Viewed" and views[-1]["record"] == "client"
    dt.datetime.fromisoformat(views[-1]["when"])
    assert set(views[-1]) == {"when", "who", "role", "action", "action_display", "record", "break_glass"}


# -------------------------------------------------------------------------------------- the command


def _dpo():
    return UserFactory(
        email="dpo@keyworker.test",
        first_name="Dee",
        last_name="Protection",
        role=Role.DATA_PROTECTION_OFFICER,
        team=None,
    )


def test_sar_export_writes_a_private_file_and_audits_it(personas, tmp_path):
    p = personas
    client = _client_with_a_file(p)
    dpo = _dpo()
    path = tmp_path / "sar.json"
    err = StringIO()
    call_command("sar", "export", str(client.pk), "--output", str(path), "--actor", dpo.email, stderr=err)
    written: dict[str, Any] = json.loads(path.read_text())
    assert written["client"]["last_name"] == "Fictional-Client"
    assert written["sections"]["Contacts and notes"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "subject access record written to" in err.getvalue()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor, event.client_id, event.object_type, event.detail) == (
        dpo,
        client.pk,
        "people.client",
        {"what": "subject access record"},
    )
    # The export is on his trail: the next record tells him it was made, and by whom.
    again = subject_access_record(client)
    assert {"who": "Dee Protection", "action": "export"}.items() <= again["audit_trail"][-1].items()


def test_sar_export_to_standard_output_as_the_system(personas):
    client = personas.client_of(personas.you, first_name="Marlon")
    out = StringIO()
    call_command("sar", "export", str(client.pk), stdout=out)
    assert json.loads(out.getvalue())["client"]["first_name"] == "Marlon"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor is None and event.client_id == client.pk


def test_sar_export_refuses_clearly_and_audits_nothing(personas, tmp_path):
    p = personas
    client = p.client_of(p.you)
    existing = tmp_path / "taken.json"
    existing.write_text("keep me")
    cases = [
        (["00000000-0000-0000-0000-000000000000"], "No client has the id"),
        (["not-a-uuid"], "No client has the id"),
        ([str(client.pk), "--actor", "nobody@keyworker.test"], "No active member of staff"),
        ([str(client.pk), "--actor", p.manager.email], "Only the data protection officer"),
        ([str(client.pk), "--output", str(existing)], "already exists"),
    ]
    for args, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("sar", "export", *args, stdout=StringIO())
    assert existing.read_text() == "keep me"
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_an_export_that_cannot_be_written_is_not_audited(personas, tmp_path):
    client = personas.client_of(personas.you)
    with pytest.raises(FileNotFoundError):
        call_command("sar", "export", str(client.pk), "--output", str(tmp_path / "no" / "such" / "dir.json"))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert Disclosure.objects.count() == 0
