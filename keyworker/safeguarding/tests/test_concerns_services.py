"""Recording a concern and acting on it: validation that changes nothing, the third-party record, telling the
safeguarding lead, and the audit rule (no client id on anything about someone else)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import UserFactory
from keyworker.people.models import ThirdParty
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernAction,
    ConcernCategory,
    ConcernStatus,
    SharingDecision,
)
from keyworker.safeguarding.rules import (
    CONCERN_STATUS_MOVES,
    concern_review_on,
    concern_status_problem,
)
from keyworker.safeguarding.selectors import (
    concern_flag_for,
    concern_get_for,
    concern_queue_for,
    concerns_about_client_for,
    concerns_raised_by,
)
from keyworker.safeguarding.services import (
    concern_action_add,
    concern_record,
    concern_review_date_set,
    concern_status_change,
    third_party_update,
)

pytestmark = pytest.mark.django_db

DISCLOSURE = "She said he hit her last week and she is scared of him."


def _girlfriend(p, client, **overrides):
    values = {
        "actor": p.you,
        "client": client,
        "about": ConcernAbout.THIRD_PARTY,
        "category": ConcernCategory.DOMESTIC_ABUSE,
        "disclosed_by": "person_at_risk",
        "disclosed_on": timezone.localdate(),
        "what_was_disclosed": DISCLOSURE,
        "third_party": {"description": "the client's girlfriend", "safe_contact_note": "Only when he is out."},
    }
    values.update(overrides)
    return concern_record(**values)


def _counts():
    return (
        Concern.objects.count(),
        ThirdParty.objects.count(),
        ConcernAction.objects.count(),
        SharingDecision.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.exclude(action=AuditAction.DENIED).count(),
    )


# ------------------------------------------------------------------------------------------- rules


@given(st.sampled_from(ConcernCategory.values), st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
def test_review_date_is_soon_and_sooner_when_urgent(category, disclosed_on):
    review = concern_review_on(category, disclosed_on)
    days = (review - disclosed_on).days
    assert days == (2 if category in ("threat_to_life", "child_at_risk") else 7)


@given(
    st.sampled_from(ConcernStatus.values),
    st.sampled_from(ConcernStatus.values),
    st.booleans(),
    st.text(max_size=30),
)
def test_status_moves(current, new, is_lead, note):
    problem = concern_status_problem(current, new, is_lead=is_lead, note=note)
    if problem is None:
        assert new != current and new in CONCERN_STATUS_MOVES[current]
        assert is_lead or current != "closed"  # only the lead reopens
        assert new != "closed" or len(note.strip()) >= 10  # closing says why
    if current == "closed" and new != "closed" and not is_lead:
        assert problem is not None


# --------------------------------------------------------------------------------------- recording


def test_a_concern_about_someone_else_lives_on_her_own_record(personas, smtp, django_capture_on_commit_callbacks):
    p = personas
    client = p.client_of(p.you, first_name="Dev")
    with django_capture_on_commit_callbacks(execute=True):
        concern = _girlfriend(p, client, first_action={"kind": "advice_only", "note": "Gave her the helpline number."})
    assert concern.third_party is not None and concern.third_party.description == "the client's girlfriend"
    assert not concern.third_party.is_child
    assert concern.review_on == timezone.localdate() + dt.timedelta(days=7)
    assert concern.actions.get().kind == "advice_only"
    # every event about it names no client
    events = AuditEvent.objects.filter(action=AuditAction.CREATE)
    assert {e.object_type for e in events} >= {
        "people.thirdparty",
        "safeguarding.concern",
        "safeguarding.concernaction",
    }
    assert not events.filter(client_id=client.pk).exists()
    # the lead is told, the e-mail holds only the link
    note = Notification.objects.get(recipient=p.safeguarding_lead)
    assert note.link == f"/concerns/{concern.pk}/"
    assert len(smtp.messages) == 1
    body = smtp.messages[0].get_payload(decode=True).decode()
    assert f"/concerns/{concern.pk}/" in body
    for secret in ("hit her", "girlfriend", "Dev", client.last_name, "Domestic"):
        assert secret not in body and secret not in str(smtp.messages[0]["Subject"])


def test_a_concern_about_the_client_is_audited_on_the_client(personas):
    p = personas
    client = p.client_of(p.you)
    concern = concern_record(
        actor=p.you,
        client=client,
        about="client",
        category="self_harm",
        disclosed_by="client",
        disclosed_on=timezone.localdate(),
        what_was_disclosed="Said he has thought about ending it.",
        sharing={"shared": False, "reasons": "He asked us not to; no immediate risk today."},
    )
    assert concern.third_party is None
    assert AuditEvent.objects.get(object_id=str(concern.pk)).client_id == client.pk
    decision = concern.sharing_decisions.get()
    assert not decision.shared and decision.lawful_basis == "not_applicable"
    assert AuditEvent.objects.get(object_id=str(decision.pk)).client_id == client.pk


def test_about_a_child_marks_the_child_and_is_reviewed_sooner(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(
        p, client, about="child", category="child_at_risk", third_party={"description": "his partner's son, about 8"}
    )
    assert concern.third_party.is_child
    assert concern.review_on == timezone.localdate() + dt.timedelta(days=2)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"third_party": {"name": "Ann"}}, "third_party_description"),
        ({"third_party": None}, "third_party_description"),
        ({"disclosed_on": timezone.localdate() + dt.timedelta(days=1)}, "disclosed_on"),
        ({"disclosed_on": None}, "disclosed_on"),
        ({"what_was_disclosed": "   "}, "what_was_disclosed"),
        ({"category": "gang"}, "category"),
        ({"about": "someone"}, "about"),
        ({"disclosed_by": "rumour"}, "disclosed_by"),
        ({"review_on": timezone.localdate() - dt.timedelta(days=1)}, "review_on"),
        ({"first_action": {"kind": "shout", "note": ""}}, "first_action_kind"),
        ({"sharing": {"shared": True, "shared_with": "", "lawful_basis": "", "reasons": "x"}}, "sharing_shared_with"),
        (
            {"sharing": {"shared": True, "shared_with": "Police", "lawful_basis": "", "reasons": "Risk to life now."}},
            "sharing_lawful_basis",
        ),
        ({"sharing": {"shared": False, "reasons": ""}}, "sharing_reasons"),
        (
            {"third_party": {"description": "x", "date_of_birth": timezone.localdate() + dt.timedelta(days=3)}},
            "third_party_date_of_birth",
        ),
        ({"third_party": {"description": "x" * 151}}, "third_party_description"),
    ],
)
def test_bad_input_gets_a_message_by_field_and_changes_nothing(personas, overrides, field):
    p = personas
    client = p.client_of(p.you)
    before = _counts()
    with pytest.raises(ValidationFailed) as caught:
        _girlfriend(p, client, **overrides)
    assert field in caught.value.field_errors, caught.value.field_errors
    assert _counts() == before


def test_only_someone_who_records_on_the_client_may_raise_one(personas):
    p = personas
    client = p.client_of(p.you)
    for outsider in (p.other_caseworker, p.report_viewer, p.safeguarding_lead, p.on_call, p.other_manager):
        with pytest.raises(NotAllowed):
            _girlfriend(p, client, actor=outsider)
    assert not Concern.objects.exists()
    assert _girlfriend(p, client, actor=p.teammate).recorded_by == p.teammate


# ------------------------------------------------------------------------------------------- acting


def test_recorder_and_lead_act_others_may_not(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(p, client)
    concern_action_add(actor=p.you, concern=concern, kind="safeguarding_lead", note="Told Sol.")
    concern_action_add(actor=p.safeguarding_lead, concern=concern, kind="marac")
    for other in (p.teammate, p.manager, p.report_viewer):
        with pytest.raises(NotAllowed):
            concern_action_add(actor=other, concern=concern, kind="police")
    assert concern.actions.count() == 2
    with pytest.raises(ValidationFailed) as caught:
        concern_action_add(actor=p.you, concern=concern, kind="police", taken_on=timezone.localdate() + dt.timedelta(1))
    assert "taken_on" in caught.value.field_errors
    assert not AuditEvent.objects.filter(client_id=client.pk, object_type__startswith="safeguarding").exists()


def test_status_open_to_lead_to_closed_and_only_the_lead_reopens(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(p, client)
    concern = concern_status_change(actor=p.you, concern=concern, status="with_lead", expected_version=1)
    with pytest.raises(ValidationFailed) as caught:
        concern_status_change(actor=p.you, concern=concern, status="closed", expected_version=2, note="done")
    assert "note" in caught.value.field_errors
    assert Concern.objects.get().status == "with_lead"
    concern = concern_status_change(
        actor=p.safeguarding_lead,
        concern=concern,
        status="closed",
        expected_version=2,
        note="MARAC heard it; she has an IDVA and has moved out.",
    )
    assert concern.closed_on == timezone.localdate()
    with pytest.raises(ValidationFailed):
        concern_status_change(actor=p.you, concern=concern, status="open", expected_version=3)
    concern = concern_status_change(actor=p.safeguarding_lead, concern=concern, status="open", expected_version=3)
    assert concern.status == "open" and concern.closed_on is None


def test_a_stale_edit_is_refused_and_changes_nothing(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(p, client)
    stale = Concern.objects.get(pk=concern.pk)
    concern_review_date_set(
        actor=p.you, concern=concern, review_on=timezone.localdate() + dt.timedelta(days=3), expected_version=1
    )
    with pytest.raises(ConcurrentEdit):
        concern_status_change(actor=p.safeguarding_lead, concern=stale, status="with_lead", expected_version=1)
    assert Concern.objects.get().status == "open"
    with pytest.raises(ValidationFailed):
        concern_review_date_set(
            actor=p.you, concern=concern, review_on=timezone.localdate() - dt.timedelta(days=1), expected_version=2
        )


def test_third_party_update_by_lead_or_recorder(personas):
    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(p, client)
    record = third_party_update(actor=p.safeguarding_lead, concern=concern, expected_version=1, phone="07700 900123")
    assert record.phone == "07700 900123" and record.description == "the client's girlfriend"
    event = AuditEvent.objects.filter(object_id=str(record.pk), action=AuditAction.UPDATE).get()
    assert event.client_id is None and event.detail["fields"] == ["phone"]
    with pytest.raises(NotAllowed):
        third_party_update(actor=p.teammate, concern=concern, expected_version=2, phone="1")
    with pytest.raises(ValidationFailed):
        third_party_update(actor=p.you, concern=concern, expected_version=2, description="")
    with pytest.raises(ConcurrentEdit):
        third_party_update(actor=p.you, concern=concern, expected_version=1, name="Ann")
    assert ThirdParty.objects.get().name == ""


# ------------------------------------------------------------------------------------------ reading


def test_who_sees_what(personas):
    p = personas
    client = p.client_of(p.you)
    hers = _girlfriend(p, client)
    his = concern_record(
        actor=p.teammate,
        client=client,
        about="client",
        category="threat_to_life",
        disclosed_by="client",
        disclosed_on=timezone.localdate(),
        what_was_disclosed="Says people from the estate are looking for him.",
    )
    full = {
        p.you: {hers.pk, his.pk},
        p.teammate: {his.pk},
        p.manager: {his.pk},
        p.safeguarding_lead: {hers.pk, his.pk},
        p.other_caseworker: set(),
        p.other_manager: set(),
        p.report_viewer: set(),
        p.on_call: set(),
    }
    for user, expected in full.items():
        for concern in (hers, his):
            if concern.pk in expected:
                assert concern_get_for(user, concern.pk) == concern
            else:
                with pytest.raises(Exception, match="Not found"):
                    concern_get_for(user, concern.pk)
    flag = {p.you: True, p.teammate: True, p.manager: True}
    for user in full:
        assert concern_flag_for(user, client) == flag.get(user, False), user
        about = {c.pk for c in concerns_about_client_for(user, client)}
        assert hers.pk not in about
    assert [c.pk for c in concern_queue_for(p.safeguarding_lead)] == [his.pk, hers.pk]  # 2 days before 7
    assert not concern_queue_for(p.you).exists()
    assert [c.pk for c in concerns_raised_by(p.you)] == [hers.pk]
    concern_status_change(
        actor=p.safeguarding_lead,
        concern=hers,
        status="closed",
        expected_version=1,
        note="She has moved away and has support from the IDVA.",
    )
    assert not concern_flag_for(p.teammate, client)
    assert [c.pk for c in concern_queue_for(p.safeguarding_lead)] == [his.pk]


def test_the_lead_cannot_see_a_concern_on_a_client_barred_to_them(personas):
    from keyworker.safeguarding.models import AccessRule, AccessRuleKind

    p = personas
    client = p.client_of(p.you)
    concern = _girlfriend(p, client)
    rule = AccessRule.objects.create(
        client=client,
        kind=AccessRuleKind.EXCLUSION,
        reason="Related to the lead",
        starts_at=timezone.now(),
        set_by=p.manager,
    )
    rule.staff.set([p.safeguarding_lead])
    assert not concern_queue_for(p.safeguarding_lead).exists()
    assert concern_get_for(p.you, concern.pk) == concern


def test_inactive_leads_are_not_told(personas):
    p = personas
    UserFactory(email="oldlead@keyworker.test", role=Role.SAFEGUARDING_LEAD, team=None, is_active=False)
    second = UserFactory(email="lead2@keyworker.test", role=Role.SAFEGUARDING_LEAD, team=None)
    _girlfriend(p, p.client_of(p.you))
    assert set(Notification.objects.values_list("recipient__email", flat=True)) == {
        p.safeguarding_lead.email,
        second.email,
    }
