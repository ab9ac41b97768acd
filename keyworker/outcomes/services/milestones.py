"""Recording milestones and the records computed milestones are worked out from: work and accommodation spells
with their dated checks, and proven offences. Sustained work and housing, completed courses and "no proven
reoffending" are never entered by hand: `milestones_refresh` works them out (rules/milestones.py) after every
change to their inputs, and daily (`keyworker milestones refresh`) because time passing is itself an input."""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from keyworker.accounts.models import Role, User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotFound, ValidationFailed
from keyworker.core.validation import check_field_values, required_text
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.outcomes.models import (
    EvidenceKind,
    Milestone,
    MilestoneKind,
    ProvenOffence,
    Spell,
    SpellCheck,
    SpellKind,
)
from keyworker.outcomes.rules import milestones as rules
from keyworker.people.models import Client

__all__ = [
    "CHECK_EVIDENCE_KINDS",
    "COMPUTED_REFUSAL",
    "milestone_record",
    "milestones_refresh",
    "milestones_refresh_all",
    "proven_offence_record",
    "spell_check_add",
    "spell_end",
    "spell_start",
]

TEXT_MAX_CHARS = 5000
COMPUTED_REFUSAL = (
    "This milestone is worked out from the dated checks and records, not ticked by hand: record the job or home "
    "and its checks, the course completion or the proven offences instead."
)
# What a check that a job or home is still going can rest on (a test result or a computation is not one).
CHECK_EVIDENCE_KINDS = (
    EvidenceKind.DOCUMENT,
    EvidenceKind.THIRD_PARTY,
    EvidenceKind.SELF_REPORT,
    EvidenceKind.RECORDS,
)


def _may_record(actor: User, client: Client) -> None:
    if not policy.can_record_on(actor, client):
        raise NotFound()


def _date_problem(day: dt.date | None, today: dt.date, what: str) -> str | None:
    if day is None:
        return f"Enter the date {what}."
    if day > today:
        return f"The date {what} cannot be in the future."
    return None


@transaction.atomic
def milestone_record(
    *,
    actor: User,
    client: Client,
    kind: str,
    achieved_on: dt.date | None,
    evidence_kind: str,
    evidence: str,
    detail: str = "",
) -> Milestone:
    """Record a milestone by hand: entered education, training or employment; gained a qualification;
    drug-free (by a test or the client's word, and the evidence kind says which); left the group (self-declared,
    so self-report only). The computed kinds are refused: they are worked out from the dated checks."""
    _may_record(actor, client)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    if kind in rules.COMPUTED_KINDS:
        problems["kind"] = [COMPUTED_REFUSAL]
    elif kind not in rules.HAND_RECORDED_EVIDENCE:
        problems["kind"] = ["Choose which milestone was reached."]
    else:
        allowed = rules.HAND_RECORDED_EVIDENCE[kind]
        if evidence_kind not in allowed:
            labels = " or ".join(EvidenceKind(k).label.split(" (")[0].lower() for k in allowed)
            problems["evidence_kind"] = [f"For this milestone the evidence must be: {labels}."]
    problem = _date_problem(achieved_on, today, "it was reached")
    if problem:
        problems["achieved_on"] = [problem]
    evidence = required_text(problems, "evidence", evidence, "Say what was seen or said, and by whom.", TEXT_MAX_CHARS)
    detail = detail.strip()
    if kind in (MilestoneKind.QUALIFICATION, MilestoneKind.ENTERED_ETE) and not detail:
        problems["detail"] = [
            "Say which qualification." if kind == MilestoneKind.QUALIFICATION else "Say which course, training or job."
        ]
    elif len(detail) > 200:
        problems["detail"] = ["Keep it to 200 characters."]
    if problems:
        raise ValidationFailed("There is a problem with this milestone.", problems)
    assert achieved_on is not None  # checked above
    milestone = Milestone(
        client=client,
        kind=kind,
        achieved_on=achieved_on,
        evidence_kind=evidence_kind,
        evidence=evidence,
        detail=detail,
        recorded_by=actor,
    )
    check_field_values(milestone)
    milestone.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=milestone,
        client_id=client.pk,
        detail={"kind": kind, "evidence_kind": evidence_kind},
    )
    return milestone


# ---------------------------------------------------------------------------------------------- spells


@transaction.atomic
def spell_start(*, actor: User, client: Client, kind: str, description: str, started_on: dt.date | None) -> Spell:
    """A job or a home the client started, from its start date; checks that it is still going follow."""
    _may_record(actor, client)
    problems: dict[str, list[str]] = {}
    if kind not in SpellKind.values:
        problems["kind"] = ["Choose work or accommodation."]
    description = required_text(
        problems, "description", description, "Say the employer and role, or the kind of home.", 200
    )
    problem = _date_problem(started_on, timezone.localdate(), "it started")
    if problem:
        problems["started_on"] = [problem]
    if problems:
        raise ValidationFailed("There is a problem with this job or home.", problems)
    assert started_on is not None  # checked above
    spell = Spell(client=client, kind=kind, description=description, started_on=started_on, recorded_by=actor)
    check_field_values(spell)
    spell.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=spell,
        client_id=client.pk,
        detail={"kind": kind},
    )
    return spell


@transaction.atomic
def spell_check_add(
    *,
    actor: User,
    spell: Spell,
    checked_on: dt.date | None,
    still_going: bool | None,
    evidence_kind: str,
    note: str = "",
) -> SpellCheck:
    """A dated check of a job or home: still going, or not. Checks are kept in date order (one dated before the
    latest would rewrite what milestones were reached). A "not going" check ends the spell on its date."""
    client = spell.client
    _may_record(actor, client)
    spell = Spell.objects.select_for_update().get(pk=spell.pk)  # checks on one spell are added one at a time
    problems: dict[str, list[str]] = {}
    today = timezone.localdate()
    problem = _date_problem(checked_on, today, "of the check")
    latest = spell.checks.order_by("-checked_on").values_list("checked_on", flat=True).first()
    if problem:
        problems["checked_on"] = [problem]
    elif checked_on is not None and checked_on < spell.started_on:
        problems["checked_on"] = [f"The check cannot be before the start, {rules.long_date(spell.started_on)}."]
    elif checked_on is not None and latest is not None and checked_on < latest:
        problems["checked_on"] = [
            f"The last check was on {rules.long_date(latest)}: a new check cannot be dated before it."
        ]
    if spell.ended_on is not None:
        problems["checked_on"] = [
            f"This ended on {rules.long_date(spell.ended_on)}. If it started again, record it as a new one."
        ]
    if still_going is None:
        problems["still_going"] = ["Say whether it is still going."]
    if evidence_kind not in CHECK_EVIDENCE_KINDS:
        problems["evidence_kind"] = ["Choose how you know."]
    note = note.strip()
    if len(note) > 300:
        problems["note"] = ["Keep it to 300 characters."]
    if problems:
        raise ValidationFailed("There is a problem with this check.", problems)
    assert checked_on is not None and still_going is not None  # checked above
    check = SpellCheck(
        spell=spell,
        checked_on=checked_on,
        still_going=still_going,
        evidence_kind=evidence_kind,
        note=note,
        checked_by=actor,
    )
    check_field_values(check)
    check.save(force_insert=True)
    if not still_going:
        spell.ended_on = checked_on
        save_if_unchanged(spell, expected_version=spell.version, fields=["ended_on"])
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=check,
        client_id=client.pk,
        detail={"spell": str(spell.pk), "still_going": still_going, "evidence_kind": evidence_kind},
    )
    milestones_refresh(client=client, actor=actor)
    return check


@transaction.atomic
def spell_end(*, actor: User, spell: Spell, ended_on: dt.date | None, expected_version: int) -> Spell:
    """The job or home ended on a date (on or after its start and its last check). Milestones already reached
    stay reached."""
    client = spell.client
    _may_record(actor, client)
    if spell.version != expected_version:
        raise refuse_stale(spell)
    problems: dict[str, list[str]] = {}
    problem = _date_problem(ended_on, timezone.localdate(), "it ended")
    latest = spell.checks.order_by("-checked_on").values_list("checked_on", flat=True).first()
    if spell.ended_on is not None:
        problems["ended_on"] = [f"This already ended on {rules.long_date(spell.ended_on)}."]
    elif problem:
        problems["ended_on"] = [problem]
    elif ended_on is not None and ended_on < spell.started_on:
        problems["ended_on"] = [f"It cannot end before it started, {rules.long_date(spell.started_on)}."]
    elif ended_on is not None and latest is not None and ended_on < latest:
        problems["ended_on"] = [f"A check on {rules.long_date(latest)} says it was still going then."]
    if problems:
        raise ValidationFailed("There is a problem with this end date.", problems)
    spell.ended_on = ended_on
    save_if_unchanged(spell, expected_version=expected_version, fields=["ended_on"])
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=spell,
        client_id=client.pk,
        detail={"fields": ["ended_on"]},
    )
    milestones_refresh(client=client, actor=actor)
    return spell


# ------------------------------------------------------------------------------------------ proven offences


@transaction.atomic
def proven_offence_record(
    *,
    actor: User,
    client: Client,
    offence_on: dt.date | None,
    proven_on: dt.date | None,
    description: str,
    source: str,
) -> ProvenOffence:
    """A proven offence (a conviction or caution) with the date it was committed and the date it was proven,
    for the reoffending measure. An allegation is not one: charges stay in custody until proven."""
    _may_record(actor, client)
    today = timezone.localdate()
    problems: dict[str, list[str]] = {}
    problem = _date_problem(offence_on, today, "of the offence")
    if problem:
        problems["offence_on"] = [problem]
    problem = _date_problem(proven_on, today, "it was proven")
    if problem:
        problems["proven_on"] = [problem]
    elif offence_on is not None and proven_on is not None and proven_on < offence_on:
        problems["proven_on"] = ["An offence cannot be proven before it was committed."]
    description = required_text(problems, "description", description, "Say what the offence was.", 200)
    source = required_text(problems, "source", source, "Say where you learned it was proven.", 200)
    if problems:
        raise ValidationFailed("There is a problem with this proven offence.", problems)
    assert offence_on is not None and proven_on is not None  # checked above
    offence = ProvenOffence(
        client=client,
        offence_on=offence_on,
        proven_on=proven_on,
        description=description,
        source=source,
        recorded_by=actor,
    )
    check_field_values(offence)
    offence.save(force_insert=True)
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=offence,
        client_id=client.pk,
        detail={},
    )
    milestones_refresh(client=client, actor=actor)
    return offence


# ---------------------------------------------------------------------------------------------- refresh


def case_started_on(client: Client) -> dt.date | None:
    """The start of support: the first case's opening date (the reoffending measure runs from there)."""
    return client.cases.aggregate(first=Min("opened_on"))["first"]


def _facts(client: Client) -> dict[str, object]:
    from keyworker.services.models import Enrolment, EnrolmentStatus

    spells = [
        rules.SpellFacts(
            kind=s.kind,
            description=s.description,
            started_on=s.started_on,
            ended_on=s.ended_on,
            checks=tuple(rules.CheckFacts(c.checked_on, c.still_going, c.checked_by_id) for c in s.checks.all()),
        )
        for s in Spell.objects.filter(client=client).prefetch_related("checks")
    ]
    enrolments = [
        rules.EnrolmentFacts(
            course=e.cohort.course.title,
            completed_on=e.completed_on,
            qualification=e.qualification_gained,
            by=e.enrolled_by_id,
        )
        for e in Enrolment.objects.filter(client=client, status=EnrolmentStatus.COMPLETED).select_related(
            "cohort__course"
        )
    ]
    return {
        "case_started_on": case_started_on(client),
        "spells": spells,
        "enrolments": enrolments,
        "offences": list(ProvenOffence.objects.filter(client=client)),
    }


def _fallback_recorder(client: Client, actor: User | None) -> uuid.UUID | None:
    """Who a milestone worked out from no one's record (no proven reoffending) is recorded by: whoever is
    refreshing, else the keyworker of the first case, else a manager of its team."""
    if actor is not None and actor.is_authenticated:
        return actor.pk
    first = client.cases.order_by("opened_on", "created_at").first()
    if first is None:
        return None
    if first.keyworker_id:
        return first.keyworker_id
    manager = (
        User.objects.filter(role=Role.MANAGER, team_id=first.team_id, is_active=True)
        .order_by("pk")
        .values("pk")
        .first()
    )
    return manager["pk"] if manager else None


def _key(milestone: Milestone) -> tuple[str, dt.date | None, str]:
    return rules.ComputedMilestone(
        kind=milestone.kind,
        achieved_on=milestone.achieved_on,
        evidence_kind=milestone.evidence_kind,
        evidence="",
        detail=milestone.detail,
    ).key


@transaction.atomic
def milestones_refresh(*, client: Client, actor: User | None = None, today: dt.date | None = None) -> list[Milestone]:
    """Create the computed milestones the records show but that are not yet recorded (running it again changes
    nothing), and withdraw a "no proven reoffending" milestone that an offence recorded since has disproved.
    Called by every service that changes the inputs, and daily. Returns the milestones created. Access is the
    caller's business: it is called from services that have checked it, and by the daily command."""
    today = today or timezone.localdate()
    facts = _facts(client)
    wanted = rules.computed_milestones(**facts, today=today)  # type: ignore[arg-type]
    existing = list(Milestone.objects.filter(client=client))
    start = facts["case_started_on"]
    if start is not None:
        status, _ = rules.reoffending_status(start, facts["offences"], today)  # type: ignore[arg-type]
        if status == rules.REOFFENDED:
            for milestone in [m for m in existing if m.kind == MilestoneKind.NO_REOFFENDING_12_MONTHS]:
                audit_event_record(
                    actor=actor,
                    action=AuditAction.UPDATE,
                    obj=milestone,
                    client_id=client.pk,
                    detail={"withdrawn": True, "kind": milestone.kind, "why": "proven_offence"},
                )
                milestone.delete()
                existing.remove(milestone)
    have = {_key(m) for m in existing}
    created: list[Milestone] = []
    fallback: uuid.UUID | bool | None = False  # worked out once, when first needed
    for item in wanted:
        if item.key in have:
            continue
        by = item.by
        if by is None:
            if fallback is False:
                fallback = _fallback_recorder(client, actor)
            by = fallback
        if by is None:
            continue  # no one to record it as: the next refresh tries again
        milestone = Milestone(
            client=client,
            kind=item.kind,
            achieved_on=item.achieved_on,
            evidence_kind=item.evidence_kind,
            evidence=item.evidence,
            detail=item.detail,
            recorded_by_id=by,
        )
        check_field_values(milestone)
        milestone.save(force_insert=True)
        have.add(item.key)
        created.append(milestone)
        audit_event_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=milestone,
            client_id=client.pk,
            detail={"kind": item.kind, "evidence_kind": item.evidence_kind, "computed": True},
        )
    return created


def milestones_refresh_all(*, today: dt.date | None = None) -> int:
    """Refresh every client with anything a milestone could be worked out from (the daily job): the number of
    milestones created."""
    from keyworker.casework.models import Case
    from keyworker.services.models import Enrolment, EnrolmentStatus

    ids = (
        set(Spell.objects.values_list("client_id", flat=True))
        | set(Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).values_list("client_id", flat=True))
        | set(Case.objects.values_list("client_id", flat=True))
    )
    created = 0
    for client in Client.objects.filter(pk__in=ids).order_by("pk").iterator(chunk_size=200):
        created += len(milestones_refresh(client=client, today=today))
    return created
