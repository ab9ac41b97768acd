"""DASH risk checklists, MARAC referrals and NRM referrals on a concern.

Each belongs to the concern's person at risk: when that is not the client (the girlfriend, a child), every
audit event carries no client id, so none of it reaches the client's trail or subject access output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, client_viewed
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.notifications import notify
from keyworker.core.validation import check_field_values, create_checked, required_text
from keyworker.core.versioning import save_if_unchanged
from keyworker.privacy.services import disclosure_record
from keyworker.safeguarding.models import (
    Concern,
    ConcernAction,
    ConcernActionKind,
    DashAssessment,
    LawfulBasis,
    MaracReferral,
    NrmDecision,
    NrmReferral,
)
from keyworker.safeguarding.rules import (
    DASH_QUESTIONS,
    dash_score,
    dash_unanswered,
    dash_yes_questions,
    marac_threshold,
    nrm_decision_problems,
    reason_problem,
)
from keyworker.safeguarding.services.concerns import concern_audit_client_id
from keyworker.safeguarding.services.sharing import sharing_decision_record

__all__ = [
    "assessment_viewed",
    "dash_complete",
    "marac_referral_draft",
    "marac_referral_make",
    "nrm_referral_record",
    "nrm_referral_update",
]

MAX_INCIDENTS = 999
MAX_TEXT = 10_000


def assessment_viewed(actor: User, concern: Concern, obj: Model, what: str) -> None:
    """A read of a concern's DASH, MARAC or NRM records: in the client's trail only when the concern is about
    the client; otherwise an event naming no client."""
    if concern.is_about_client:
        client_viewed(actor=actor, client_id=concern.client_id, obj=obj, what=what)
    else:
        audit_event_record(actor=actor, action=AuditAction.VIEW, obj=obj, client_id=None, detail={"what": what})


def _check_may_act(actor: User, concern: Concern, what: str) -> None:
    if not policy.can_act_on_concern(actor, concern):
        raise NotAllowed(f"Only the safeguarding lead or the person who recorded this concern can {what}.")


def _action_add(*, actor: User, concern: Concern, kind: str, taken_on: dt.date, note: str) -> ConcernAction:
    action = create_checked(ConcernAction, concern=concern, kind=kind, taken_on=taken_on, note=note, taken_by=actor)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=action,
        client_id=concern_audit_client_id(concern),
        detail={"kind": kind},
    )
    return action


def _not_in_future(problems: dict[str, list[str]], field: str, day: dt.date | None, today: dt.date, what: str) -> None:
    if day is not None and day > today:
        problems.setdefault(field, []).append(f"{what} cannot be in the future.")


# ------------------------------------------------------------------------------------------------------ DASH


@transaction.atomic
def dash_complete(
    *,
    actor: User,
    concern: Concern,
    answers: Mapping[str, str],
    incidents_in_last_12_months: int | None,
    professional_judgement: bool,
    judgement_reasons: str,
    completed_on: dt.date,
) -> DashAssessment:
    """Store a completed checklist: all 24 questions answered "yes", "no" or "not_known". The score and whether
    the MARAC threshold is met are worked out here (rules.marac_threshold), never taken from the caller. When it
    is met, the safeguarding lead is told (the message names nobody)."""
    _check_may_act(actor, concern, "complete a DASH risk checklist")
    problems: dict[str, list[str]] = {}
    cleaned = {str(key): value for key, value in answers.items()}
    if missing := dash_unanswered(cleaned):
        numbers = ", ".join(str(n) for n in missing)
        problems["answers"] = [f"Answer every question yes, no or not known. Not answered: question {numbers}."]
        for number in missing:
            problems[f"q{number}"] = [f"Answer question {number}: yes, no or not known."]
    if extra := sorted(set(cleaned) - {str(n) for n in range(1, len(DASH_QUESTIONS) + 1)}):
        problems.setdefault("answers", []).append(f"There are only 24 questions (unexpected: {', '.join(extra)}).")
    if incidents_in_last_12_months is not None and not 0 <= incidents_in_last_12_months <= MAX_INCIDENTS:
        problems["incidents_in_last_12_months"] = ["Enter the number of incidents, 0 or more."]
    reasons = judgement_reasons.strip()
    if professional_judgement and (problem := reason_problem(reasons)):
        problems["judgement_reasons"] = [f"Say why you judge the risk to be high. {problem}"]
    elif len(reasons) > MAX_TEXT:
        problems["judgement_reasons"] = [f"Keep it to {MAX_TEXT} characters."]
    today = timezone.localdate()
    _not_in_future(problems, "completed_on", completed_on, today, "The date it was completed")
    if completed_on < concern.disclosed_on:
        problems.setdefault("completed_on", []).append("The checklist cannot be before the disclosure.")
    if problems:
        raise ValidationFailed("There is a problem with the DASH risk checklist.", problems)

    stored = {key: cleaned[key] for key in sorted(cleaned, key=int)}
    score = dash_score(stored)
    meets, _why = marac_threshold(score, incidents_in_last_12_months, professional_judgement)
    dash = create_checked(
        DashAssessment,
        concern=concern,
        answers=stored,
        score=score,
        incidents_in_last_12_months=incidents_in_last_12_months,
        professional_judgement=professional_judgement,
        judgement_reasons=reasons if professional_judgement else "",
        meets_marac_threshold=meets,
        completed_on=completed_on,
        completed_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=dash,
        client_id=concern_audit_client_id(concern),
        detail={"concern": str(concern.pk), "score": score, "meets_marac_threshold": meets},
    )
    if meets:
        leads = User.objects.filter(role=Role.SAFEGUARDING_LEAD, is_active=True).exclude(pk=actor.pk)
        notify(
            recipients=leads,
            subject="A DASH risk checklist meets the MARAC threshold",
            body="A DASH risk checklist completed today meets the MARAC threshold. Check the referral to MARAC.",
            link=reverse("safeguarding:dash", args=[concern.pk]),
            email=True,
        )
    return dash


# ----------------------------------------------------------------------------------------------------- MARAC


def _default_marac_area(concern: Concern) -> str:
    """The area of the team supporting the client: where the casework (and usually the MARAC) is."""
    case = concern.client.cases.select_related("team").order_by("-opened_on").first()
    return case.team.area if case is not None else ""


def marac_referral_draft(concern: Concern, dash: DashAssessment | None) -> dict[str, Any]:
    """What a MARAC referral says, from what is already recorded (enter once, reuse everywhere): the summary
    from the disclosure and the DASH's "yes" answers, the threshold reasons from rules.marac_threshold, the
    person at risk from the third-party record (or the client, when the concern is about them), and the alleged
    perpetrator, for a concern about someone else, from the client whose casework it arose in."""
    if dash is not None and dash.concern_id != concern.pk:
        raise ValueError("The DASH checklist belongs to another concern.")
    disclosure = (
        f"Disclosed on {concern.disclosed_on:%-d %B %Y} by "
        f"{concern.get_disclosed_by_display().lower()}:\n{concern.what_was_disclosed.strip()}"
    )
    parts = [disclosure]
    threshold_reasons: list[str] = []
    if dash is not None:
        yes = dash_yes_questions(dash.answers)
        lines = [f"DASH risk checklist completed on {dash.completed_on:%-d %B %Y}: {dash.score} of 24 answered yes."]
        if dash.incidents_in_last_12_months is not None:
            lines.append(f"Incidents in the last 12 months: {dash.incidents_in_last_12_months}.")
        if yes:
            lines.append("Answered yes:")
            lines.extend(f"{number}. {text}" for number, text in yes)
        parts.append("\n".join(lines))
        _meets, threshold_reasons = marac_threshold(
            dash.score, dash.incidents_in_last_12_months, dash.professional_judgement
        )
        if dash.professional_judgement and dash.judgement_reasons:
            threshold_reasons = [*threshold_reasons, f"Why: {dash.judgement_reasons}"]
    client = concern.client
    if concern.is_about_client:
        person_at_risk = {
            "name": client.display_name,
            "description": "The client",
            "is_child": False,
            "date_of_birth": client.date_of_birth,
            "phone": client.phone,
            "address": client.address,
            "safe_contact_note": "",
        }
        perpetrator = None
    else:
        third = concern.third_party
        assert third is not None  # the model's constraint: a concern about someone else has their record
        person_at_risk = {
            "name": third.name,
            "description": third.description,
            "is_child": third.is_child,
            "date_of_birth": third.date_of_birth,
            "phone": third.phone,
            "address": third.address,
            "safe_contact_note": third.safe_contact_note,
        }
        perpetrator = {
            "name": client.display_name,
            "date_of_birth": client.date_of_birth,
            "address": client.address,
            "postcode": client.postcode,
        }
    return {
        "dash_id": dash.pk if dash is not None else None,
        "marac_area": _default_marac_area(concern),
        "threshold_reasons": "\n".join(threshold_reasons),
        "summary": "\n\n".join(parts),
        "person_at_risk": person_at_risk,
        "alleged_perpetrator": perpetrator,
        "meets_threshold": bool(dash and dash.meets_marac_threshold),
    }


@transaction.atomic
def marac_referral_make(
    *,
    actor: User,
    concern: Concern,
    dash: DashAssessment | None,
    marac_area: str,
    threshold_reasons: str,
    summary: str,
    referred_on: dt.date,
    lawful_basis: str = LawfulBasis.SAFEGUARDING,
    sharing_reasons: str = "",
) -> MaracReferral:
    """Refer to the MARAC. In the same transaction: an action on the concern ("referred to MARAC") and the
    decision to share with the MARAC, its lawful basis and reasons (services.sharing). Bad input saves none."""
    _check_may_act(actor, concern, "refer to MARAC")
    problems: dict[str, list[str]] = {}
    area = required_text(problems, "marac_area", marac_area, "Say which MARAC, for example Lambeth.", 120)
    why = required_text(problems, "threshold_reasons", threshold_reasons, "Say why it meets the threshold.", MAX_TEXT)
    text = required_text(problems, "summary", summary, "Say what happened and the current risk.", MAX_TEXT)
    if dash is not None and dash.concern_id != concern.pk:
        problems["dash"] = ["Choose a DASH risk checklist on this concern."]
    if lawful_basis not in LawfulBasis.values or lawful_basis == LawfulBasis.NOT_APPLICABLE:
        problems["lawful_basis"] = ["Choose the lawful basis for sharing with the MARAC."]
    if len(sharing_reasons.strip()) < 10:
        problems["sharing_reasons"] = ["Say why it is right to share this with the MARAC."]
    _not_in_future(problems, "referred_on", referred_on, timezone.localdate(), "The referral date")
    if referred_on < concern.disclosed_on:
        problems.setdefault("referred_on", []).append("The referral cannot be before the disclosure.")
    if problems:
        raise ValidationFailed("There is a problem with the MARAC referral.", problems)
    referral = create_checked(
        MaracReferral,
        concern=concern,
        dash=dash,
        marac_area=area,
        threshold_reasons=why,
        summary=text,
        referred_on=referred_on,
        referred_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        client_id=concern_audit_client_id(concern),
        detail={"concern": str(concern.pk), "dash": str(dash.pk) if dash else None},
    )
    _action_add(
        actor=actor, concern=concern, kind=ConcernActionKind.MARAC, taken_on=referred_on, note=f"MARAC ({area})"
    )
    sharing_decision_record(
        actor=actor,
        concern=concern,
        shared=True,
        shared_with=f"MARAC ({area})",
        lawful_basis=lawful_basis,
        reasons=sharing_reasons,
        what=f"A MARAC referral: {text}",
    )
    return referral


# ------------------------------------------------------------------------------------------------------- NRM


@transaction.atomic
def nrm_referral_record(
    *,
    actor: User,
    concern: Concern,
    first_responder: str,
    referred_on: dt.date,
    is_adult: bool,
    consent_given: bool | None,
    duty_to_notify_on: dt.date | None,
    next_chase_on: dt.date | None = None,
    notes: str = "",
) -> NrmReferral:
    """Record an NRM referral made by a first responder agency. An adult must have consented, or the Duty to
    Notify have been met (its date); a child needs no consent. The first NRM referral on a concern also adds
    the action "NRM referral through a first responder"."""
    _check_may_act(actor, concern, "record an NRM referral")
    problems: dict[str, list[str]] = {}
    responder = required_text(
        problems, "first_responder", first_responder, "Enter the first responder organisation that referred.", 150
    )
    today = timezone.localdate()
    _not_in_future(problems, "referred_on", referred_on, today, "The referral date")
    if is_adult:
        if consent_given is not True and duty_to_notify_on is None:
            problems["consent_given"] = [
                "An adult's NRM referral needs their consent. Without it, record the Duty to Notify date instead."
            ]
        _not_in_future(problems, "duty_to_notify_on", duty_to_notify_on, today, "The Duty to Notify date")
    else:
        consent_given, duty_to_notify_on = None, None  # children enter the NRM without consent
    if next_chase_on is not None and next_chase_on < referred_on:
        problems["next_chase_on"] = ["The next chase cannot be before the referral."]
    if len(notes) > MAX_TEXT:
        problems["notes"] = [f"Keep it to {MAX_TEXT} characters."]
    if problems:
        raise ValidationFailed("There is a problem with the NRM referral.", problems)
    first = not concern.nrm_referrals.exists()
    referral = create_checked(
        NrmReferral,
        concern=concern,
        first_responder=responder,
        referred_on=referred_on,
        is_adult=is_adult,
        consent_given=consent_given if is_adult else None,
        duty_to_notify_on=duty_to_notify_on,
        next_chase_on=next_chase_on,
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=referral,
        client_id=concern_audit_client_id(concern),
        detail={"concern": str(concern.pk), "is_adult": is_adult},
    )
    if first:
        _action_add(
            actor=actor, concern=concern, kind=ConcernActionKind.NRM, taken_on=referred_on, note=f"By {responder}"
        )
    if concern.is_about_client:
        # The client's details went to the Home Office's NRM through the first responder. An NRM referral on a
        # concern about someone else is that person's record, never this client's log (decisions/0038).
        disclosure_record(
            actor=actor,
            client=concern.client,
            what=f"A National Referral Mechanism referral (concern of {concern.disclosed_on:%-d %B %Y})",
            recipient=f"The National Referral Mechanism (Home Office), through {responder}"[:200],
            basis=_nrm_basis(is_adult=is_adult, consent_given=consent_given, duty_to_notify_on=duty_to_notify_on),
            source=referral,
        )
    return referral


def _nrm_basis(*, is_adult: bool, consent_given: bool | None, duty_to_notify_on: dt.date | None) -> str:
    if not is_adult:
        return "A child: referred without consent, to safeguard them"
    if consent_given:
        return "Consent of the person"
    return f"Duty to Notify (Modern Slavery Act 2015 s52), met on {duty_to_notify_on:%-d %B %Y}"


@transaction.atomic
def nrm_referral_update(
    *,
    actor: User,
    referral: NrmReferral,
    expected_version: int,
    reasonable_grounds: str,
    reasonable_grounds_on: dt.date | None,
    conclusive_grounds: str,
    conclusive_grounds_on: dt.date | None,
    next_chase_on: dt.date | None,
    notes: str,
) -> NrmReferral:
    """Record the Home Office's decisions and the next chase date, under optimistic locking."""
    concern = referral.concern
    _check_may_act(actor, concern, "update this NRM referral")
    problems: dict[str, list[str]] = {}
    for field, value in (("reasonable_grounds", reasonable_grounds), ("conclusive_grounds", conclusive_grounds)):
        if value not in NrmDecision.values:
            problems[field] = ["Choose awaiting decision, positive or negative."]
    if not problems:
        problems = nrm_decision_problems(
            referred_on=referral.referred_on,
            reasonable_grounds=reasonable_grounds,
            reasonable_grounds_on=reasonable_grounds_on,
            conclusive_grounds=conclusive_grounds,
            conclusive_grounds_on=conclusive_grounds_on,
            today=timezone.localdate(),
        )
    if next_chase_on is not None and next_chase_on < referral.referred_on:
        problems["next_chase_on"] = ["The next chase cannot be before the referral."]
    if len(notes) > MAX_TEXT:
        problems["notes"] = [f"Keep it to {MAX_TEXT} characters."]
    if problems:
        raise ValidationFailed("There is a problem with the NRM decisions.", problems)
    before = {"reasonable_grounds": referral.reasonable_grounds, "conclusive_grounds": referral.conclusive_grounds}
    referral.reasonable_grounds = reasonable_grounds
    referral.reasonable_grounds_on = reasonable_grounds_on
    referral.conclusive_grounds = conclusive_grounds
    referral.conclusive_grounds_on = conclusive_grounds_on
    referral.next_chase_on = next_chase_on
    referral.notes = notes.strip()
    check_field_values(referral)
    fields = [
        "reasonable_grounds",
        "reasonable_grounds_on",
        "conclusive_grounds",
        "conclusive_grounds_on",
        "next_chase_on",
        "notes",
    ]
    save_if_unchanged(referral, expected_version=expected_version, fields=fields)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=referral,
        client_id=concern_audit_client_id(concern),
        detail={
            "fields": fields,
            "from": before,
            "to": {"reasonable_grounds": reasonable_grounds, "conclusive_grounds": conclusive_grounds},
        },
    )
    return referral
