"""DASH, MARAC and NRM services: what is stored, who may do it, that bad input changes nothing, that the MARAC
referral is filled in from what was already recorded, and that nothing about someone else's concern reaches
the client's audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotAllowed, ValidationFailed
from keyworker.core.models import Notification
from keyworker.core.testing import ConcernFactory, Personas, ThirdPartyFactory
from keyworker.safeguarding.models import (
    ConcernAbout,
    ConcernAction,
    ConcernActionKind,
    ConcernCategory,
    DashAssessment,
    DisclosedBy,
    MaracReferral,
    NrmDecision,
    NrmReferral,
    SharingDecision,
)
from keyworker.safeguarding.rules import DASH_QUESTIONS
from keyworker.safeguarding.selectors import nrm_chases_due_for
from keyworker.safeguarding.services import (
    dash_complete,
    marac_referral_draft,
    marac_referral_make,
    nrm_referral_record,
    nrm_referral_update,
)

pytestmark = pytest.mark.django_db

DISCLOSURE = "While he was out of the room she said he pushed her down the stairs and takes her phone."
YES = {1, 2, 3, 6, 8, 10, 11, 12, 14, 15, 18, 21, 23, 24, 4}  # 15 of 24


def answers(yes: set[int] = YES, rest: str = "no") -> dict[str, str]:
    return {str(n): ("yes" if n in yes else rest) for n in range(1, 25)}


def victim_concern(p: Personas, **fields):
    """Dan's girlfriend's disclosure, recorded by his caseworker on her own record."""
    dan = p.client_of(p.you, first_name="Dan", last_name="Perpetrator")
    her = ThirdPartyFactory(name="Tia Victim", description="a young woman, Dan's girlfriend", phone="07700 900123")
    values = {
        "client": dan,
        "about": ConcernAbout.THIRD_PARTY,
        "third_party": her,
        "category": ConcernCategory.DOMESTIC_ABUSE,
        "disclosed_by": DisclosedBy.PERSON_AT_RISK,
        "disclosed_on": timezone.localdate() - dt.timedelta(days=2),
        "what_was_disclosed": DISCLOSURE,
        "recorded_by": p.you,
    }
    return ConcernFactory(**(values | fields))


def dash(actor, concern, **fields):
    values = {
        "answers": answers(),
        "incidents_in_last_12_months": 1,
        "professional_judgement": False,
        "judgement_reasons": "",
        "completed_on": timezone.localdate(),
    }
    return dash_complete(actor=actor, concern=concern, **(values | fields))


def marac(actor, concern, made_dash, **fields):
    values = {
        "dash": made_dash,
        "marac_area": "Lambeth",
        "threshold_reasons": "Score of 15.",
        "summary": "Pushed down the stairs; phone taken.",
        "referred_on": timezone.localdate(),
        "lawful_basis": "safeguarding",
        "sharing_reasons": "High risk; telling him would raise the risk to her.",
    }
    return marac_referral_make(actor=actor, concern=concern, **(values | fields))


def snapshot():
    return (
        DashAssessment.objects.count(),
        MaracReferral.objects.count(),
        NrmReferral.objects.count(),
        ConcernAction.objects.count(),
        SharingDecision.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


# ------------------------------------------------------------------------------------------------------ DASH


def test_dash_stores_answers_score_and_threshold_and_tells_the_lead(personas: Personas):
    concern = victim_concern(personas)
    made = dash(personas.you, concern)
    made.refresh_from_db()
    assert made.score == 15 and made.meets_marac_threshold
    assert made.answers == answers()
    told = Notification.objects.get(recipient=personas.safeguarding_lead)
    assert "MARAC" in told.subject and str(concern.pk) in told.link
    assert "Tia" not in told.body and "Dan" not in told.body  # the message names nobody


def test_a_dash_below_the_threshold_tells_nobody(personas: Personas):
    concern = victim_concern(personas)
    made = dash(personas.you, concern, answers=answers({1, 2, 3}))
    assert (made.score, made.meets_marac_threshold) == (3, False)
    assert not Notification.objects.exists()


def test_the_score_is_worked_out_never_taken_and_unknowns_do_not_count(personas: Personas):
    concern = victim_concern(personas)
    made = dash(personas.you, concern, answers=answers({1, 2}, rest="not_known"))
    assert made.score == 2 and not made.meets_marac_threshold


def test_escalation_and_judgement_meet_the_threshold_whatever_the_score(personas: Personas):
    concern = victim_concern(personas)
    assert dash(personas.you, concern, answers=answers(set()), incidents_in_last_12_months=3).meets_marac_threshold
    judged = dash(
        personas.you,
        concern,
        answers=answers({5}),
        professional_judgement=True,
        judgement_reasons="She believes he will kill her if she leaves.",
    )
    assert judged.meets_marac_threshold and judged.judgement_reasons


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"answers": {k: v for k, v in answers().items() if k not in ("3", "17")}}, "answers", "question 3, 17"),
        ({"answers": answers() | {"9": "maybe"}}, "q9", "question 9"),
        ({"answers": answers() | {"25": "yes"}}, "answers", "only 24"),
        ({"professional_judgement": True, "judgement_reasons": " "}, "judgement_reasons", "high"),
        ({"incidents_in_last_12_months": -1}, "incidents_in_last_12_months", "0 or more"),
        ({"completed_on": timezone.localdate() + dt.timedelta(days=1)}, "completed_on", "future"),
        ({"completed_on": timezone.localdate() - dt.timedelta(days=30)}, "completed_on", "before the disclosure"),
    ],
)
def test_a_bad_dash_gets_a_clear_message_and_changes_nothing(personas: Personas, fields, field, words):
    concern = victim_concern(personas)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        dash(personas.you, concern, **fields)
    assert words in " ".join(refused.value.field_errors[field])
    assert snapshot() == before


def test_only_the_lead_and_the_recorder_may_complete_a_dash(personas: Personas):
    dan = personas.client_of(personas.you)
    about_dan = ConcernFactory(client=dan, recorded_by=personas.you, category=ConcernCategory.DOMESTIC_ABUSE)
    before = snapshot()
    for someone in (personas.teammate, personas.manager, personas.other_caseworker, personas.report_viewer):
        with pytest.raises(NotAllowed):
            dash(someone, about_dan)
    assert snapshot() == before
    assert dash(personas.safeguarding_lead, about_dan).completed_by == personas.safeguarding_lead


# ----------------------------------------------------------------------------------------------------- MARAC


def test_the_marac_draft_reuses_the_disclosure_the_dash_and_the_records(personas: Personas):
    concern = victim_concern(personas)
    made = dash(personas.you, concern, incidents_in_last_12_months=4)
    draft = marac_referral_draft(concern, made)
    assert DISCLOSURE in draft["summary"]
    assert f"{concern.disclosed_on:%-d %B %Y}" in draft["summary"]
    assert "15 of 24" in draft["summary"] and "Incidents in the last 12 months: 4." in draft["summary"]
    for number in YES:  # every "yes" is there, in words, and nothing answered "no"
        assert f"{number}. {DASH_QUESTIONS[number - 1]}" in draft["summary"]
    assert DASH_QUESTIONS[4] not in draft["summary"]
    assert "15 of 24" in draft["threshold_reasons"] and "Potential escalation" in draft["threshold_reasons"]
    assert draft["person_at_risk"]["name"] == "Tia Victim"
    assert draft["person_at_risk"]["phone"] == "07700 900123"
    assert draft["alleged_perpetrator"]["name"] == "Dan Perpetrator"
    assert draft["marac_area"] == "Lambeth"  # the team's area
    assert draft["dash_id"] == made.pk and draft["meets_threshold"]


def test_a_draft_without_a_dash_and_for_a_concern_about_the_client(personas: Personas):
    dan = personas.client_of(personas.you, first_name="Dana", last_name="Client")
    about_her = ConcernFactory(client=dan, recorded_by=personas.you, category=ConcernCategory.DOMESTIC_ABUSE)
    draft = marac_referral_draft(about_her, None)
    assert draft["person_at_risk"]["name"] == "Dana Client" and draft["alleged_perpetrator"] is None
    assert draft["threshold_reasons"] == "" and about_her.what_was_disclosed in draft["summary"]


def test_making_a_referral_records_the_action_and_the_sharing_decision_together(personas: Personas):
    concern = victim_concern(personas)
    dan_events = AuditEvent.objects.filter(client_id=concern.client_id).count()
    made = dash(personas.you, concern)
    referral = marac(personas.you, concern, made, lawful_basis="vital_interests")
    assert (referral.marac_area, referral.dash, referral.referred_by) == ("Lambeth", made, personas.you)
    action = concern.actions.get()
    assert action.kind == ConcernActionKind.MARAC and "Lambeth" in action.note
    decision = concern.sharing_decisions.get()
    assert decision.shared and decision.shared_with == "MARAC (Lambeth)"
    assert decision.lawful_basis == "vital_interests" and "raise the risk" in decision.reasons
    # about her, not Dan: nothing on his trail, and every event names no client
    assert AuditEvent.objects.filter(client_id=concern.client_id).count() == dan_events
    kinds = {
        "safeguarding.dashassessment",
        "safeguarding.maracreferral",
        "safeguarding.concernaction",
        "safeguarding.sharingdecision",
    }
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type__in=kinds)
    assert {e.object_type for e in events} == kinds
    assert all(e.client_id is None for e in events)


def test_events_about_a_concern_about_the_client_carry_their_id(personas: Personas):
    dan = personas.client_of(personas.you)
    about_dan = ConcernFactory(client=dan, recorded_by=personas.you)
    made = dash(personas.you, about_dan)
    marac(personas.you, about_dan, made)
    events = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type__startswith="safeguarding.")
    assert events.count() == 4 and all(e.client_id == dan.pk for e in events)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"summary": "  "}, "summary"),
        ({"marac_area": ""}, "marac_area"),
        ({"threshold_reasons": ""}, "threshold_reasons"),
        ({"lawful_basis": "not_applicable"}, "lawful_basis"),
        ({"lawful_basis": "because"}, "lawful_basis"),
        ({"sharing_reasons": "ok"}, "sharing_reasons"),
        ({"referred_on": timezone.localdate() + dt.timedelta(days=1)}, "referred_on"),
    ],
)
def test_a_bad_referral_saves_nothing_at_all(personas: Personas, fields, field):
    concern = victim_concern(personas)
    made = dash(personas.you, concern)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        marac(personas.you, concern, made, **fields)
    assert field in refused.value.field_errors
    assert snapshot() == before


def test_a_dash_from_another_concern_is_refused(personas: Personas):
    concern = victim_concern(personas)
    other = ConcernFactory(client=concern.client, recorded_by=personas.you)
    elsewhere = dash(personas.you, other)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        marac(personas.you, concern, elsewhere)
    assert "dash" in refused.value.field_errors
    assert snapshot() == before


def test_a_teammate_who_sees_the_concern_cannot_refer(personas: Personas):
    dan = personas.client_of(personas.you)
    about_dan = ConcernFactory(client=dan, recorded_by=personas.you)
    with pytest.raises(NotAllowed):
        marac(personas.teammate, about_dan, None)
    assert not MaracReferral.objects.exists()


# ------------------------------------------------------------------------------------------------------- NRM


def nrm(actor, concern, **fields):
    values = {
        "first_responder": "Lambeth Council modern slavery lead",
        "referred_on": timezone.localdate() - dt.timedelta(days=20),
        "is_adult": True,
        "consent_given": True,
        "duty_to_notify_on": None,
        "next_chase_on": timezone.localdate() + dt.timedelta(days=3),
        "notes": "",
    }
    return nrm_referral_record(actor=actor, concern=concern, **(values | fields))


def slavery_concern(p: Personas):
    dan = p.client_of(p.you)
    return ConcernFactory(client=dan, recorded_by=p.you, category=ConcernCategory.MODERN_SLAVERY)


def test_an_adult_needs_consent_or_a_duty_to_notify_date(personas: Personas):
    concern = slavery_concern(personas)
    before = snapshot()
    for consent in (False, None):
        with pytest.raises(ValidationFailed) as refused:
            nrm(personas.you, concern, consent_given=consent)
        assert "Duty to Notify" in refused.value.field_errors["consent_given"][0]
    assert snapshot() == before
    notified = nrm(personas.you, concern, consent_given=False, duty_to_notify_on=timezone.localdate())
    assert notified.duty_to_notify_on == timezone.localdate()


def test_a_child_needs_no_consent_and_the_first_referral_adds_the_action(personas: Personas):
    concern = slavery_concern(personas)
    child = nrm(personas.you, concern, is_adult=False, consent_given=None)
    assert child.consent_given is None and not child.is_adult
    nrm(personas.safeguarding_lead, concern, first_responder="Metropolitan Police")
    assert list(concern.actions.values_list("kind", flat=True)) == [ConcernActionKind.NRM]
    event = AuditEvent.objects.get(object_type="safeguarding.nrmreferral", object_id=str(child.pk))
    assert event.client_id == concern.client_id  # about the client: on their trail


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"first_responder": ""}, "first_responder"),
        ({"referred_on": timezone.localdate() + dt.timedelta(days=1)}, "referred_on"),
        ({"next_chase_on": timezone.localdate() - dt.timedelta(days=30)}, "next_chase_on"),
    ],
)
def test_a_bad_nrm_referral_changes_nothing(personas: Personas, fields, field):
    concern = slavery_concern(personas)
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        nrm(personas.you, concern, **fields)
    assert field in refused.value.field_errors
    assert snapshot() == before


def update(actor, referral, version, **fields):
    values = {
        "reasonable_grounds": NrmDecision.PENDING,
        "reasonable_grounds_on": None,
        "conclusive_grounds": NrmDecision.PENDING,
        "conclusive_grounds_on": None,
        "next_chase_on": referral.next_chase_on,
        "notes": "",
    }
    return nrm_referral_update(actor=actor, referral=referral, expected_version=version, **(values | fields))


def test_decisions_are_recorded_in_order_under_optimistic_locking(personas: Personas):
    concern = slavery_concern(personas)
    referral = nrm(personas.you, concern)
    today = timezone.localdate()
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        update(personas.you, referral, 1, conclusive_grounds="positive", conclusive_grounds_on=today)
    assert "positive reasonable-grounds" in refused.value.field_errors["conclusive_grounds"][0]
    with pytest.raises(ValidationFailed) as refused:
        update(personas.you, referral, 1, reasonable_grounds="positive", reasonable_grounds_on=today - dt.timedelta(30))
    assert "before the referral" in refused.value.field_errors["reasonable_grounds_on"][0]
    with pytest.raises(ValidationFailed):
        update(personas.you, referral, 1, reasonable_grounds="positive")  # a decision needs its date
    assert snapshot() == before
    referral = NrmReferral.objects.get(pk=referral.pk)
    assert referral.reasonable_grounds == NrmDecision.PENDING and referral.version == 1

    update(personas.you, referral, 1, reasonable_grounds="positive", reasonable_grounds_on=today - dt.timedelta(5))
    stale = NrmReferral.objects.get(pk=referral.pk)
    with pytest.raises(ConcurrentEdit):
        update(personas.safeguarding_lead, stale, 1, reasonable_grounds="negative", reasonable_grounds_on=today)
    update(
        personas.safeguarding_lead,
        stale,
        2,
        reasonable_grounds="positive",
        reasonable_grounds_on=today - dt.timedelta(5),
        conclusive_grounds="positive",
        conclusive_grounds_on=today,
        next_chase_on=None,
    )
    stale.refresh_from_db()
    assert (stale.conclusive_grounds, stale.version) == (NrmDecision.POSITIVE, 3)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, object_id=str(stale.pk)).count() == 2


def test_a_teammate_cannot_update_an_nrm_referral(personas: Personas):
    referral = nrm(personas.you, slavery_concern(personas))
    with pytest.raises(NotAllowed):
        update(personas.teammate, referral, 1, notes="Chased")
    assert NrmReferral.objects.get(pk=referral.pk).version == 1


def test_the_chase_list(personas: Personas):
    today = timezone.localdate()
    concern = slavery_concern(personas)
    due = nrm(personas.you, concern, next_chase_on=today + dt.timedelta(days=7))
    overdue = nrm(personas.you, concern, next_chase_on=today - dt.timedelta(days=1))
    undated = nrm(personas.you, concern, next_chase_on=None)
    later = nrm(personas.you, concern, next_chase_on=today + dt.timedelta(days=8))
    decided = nrm(personas.you, concern, next_chase_on=today)
    update(personas.you, decided, 1, reasonable_grounds="negative", reasonable_grounds_on=today, next_chase_on=today)
    elsewhere = nrm(personas.other_caseworker, slavery_for(personas.other_caseworker, personas))
    lead_list = list(nrm_chases_due_for(personas.safeguarding_lead))
    assert lead_list == [overdue, elsewhere, due, undated]  # the lead's: everyone's
    assert later not in lead_list and decided not in lead_list
    assert set(nrm_chases_due_for(personas.you)) == {overdue, due, undated}
    assert elsewhere not in set(nrm_chases_due_for(personas.you))
    assert list(nrm_chases_due_for(personas.report_viewer)) == []


def slavery_for(worker, p: Personas):
    return ConcernFactory(client=p.client_of(worker), recorded_by=worker, category=ConcernCategory.MODERN_SLAVERY)
