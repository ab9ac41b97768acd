"""The demo's outcomes (issue 8): two years of readings on the default scale across the caseload, milestones
from completed courses and qualifications, work and accommodation spells with their checks, and Friday's
Jerome as a peer mentor (his path to mentoring, his staff account, three younger mentees and their sessions),
with Rico's mentees too. Built in memory on its own random stream and saved in bulk after the caseload."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.db import models

from keyworker.accounts.models import User
from keyworker.casework.models import CaseStatus
from keyworker.outcomes.models import (
    EvidenceKind,
    Mentoring,
    MentoringSession,
    MentorPathway,
    MentorSupervision,
    Milestone,
    MilestoneKind,
    OutcomeDomain,
    OutcomeReading,
    OutcomeScale,
    ReadingScore,
    Spell,
    SpellCheck,
    SpellKind,
)
from keyworker.services.models import Enrolment, EnrolmentStatus

# Milestones a worker records by hand, with the evidence each may rest on (outcomes.rules.milestones).
HAND_MILESTONES: tuple[tuple[str, str, str, str], ...] = (
    (MilestoneKind.ENTERED_ETE, EvidenceKind.DOCUMENT, "Saw the offer letter.", "Started a college course."),
    (MilestoneKind.ENTERED_ETE, EvidenceKind.THIRD_PARTY, "Employer confirmed by phone.", "Started work."),
    (MilestoneKind.ENTERED_ETE, EvidenceKind.RECORDS, "On the register at the training centre.", "Traineeship."),
    (MilestoneKind.ENTERED_ETE, EvidenceKind.SELF_REPORT, "Said so at a key session.", "Warehouse work."),
    (MilestoneKind.QUALIFICATION, EvidenceKind.DOCUMENT, "Saw the certificate.", "CSCS card."),
    (MilestoneKind.QUALIFICATION, EvidenceKind.DOCUMENT, "Saw the certificate.", "Level 1 food hygiene."),
    (MilestoneKind.DRUG_FREE, EvidenceKind.TEST, "Clear test at the drug service.", ""),
    (MilestoneKind.DRUG_FREE, EvidenceKind.SELF_REPORT, "Says they have stopped; the worker agrees.", ""),
    (MilestoneKind.LEFT_GROUP, EvidenceKind.SELF_REPORT, "Said so at a key session, in their own words.", ""),
)

if TYPE_CHECKING:
    from keyworker.core.demo import _Builder, _Plan

DEFAULT_SCALE = "Keyworker resettlement scale"
SESSION_NOTES = (
    "Met at the youth hub; talked about school and who he hangs about with.",
    "Walk round the estate and a chicken shop catch-up. He's going to his Saturday job.",
    "Played pool at the centre; he opened up a bit about his older brother.",
    "Helped him with his CV for a weekend job. Good session.",
    "He didn't turn up; texted after to say sorry. Rearranged for next week.",
)
JOBS = (
    "Warehouse operative, a parcel depot in Croydon",
    "Kitchen porter, a restaurant in Brixton",
    "Labourer, a building site in Elephant and Castle",
    "Retail assistant, a sports shop in Streatham",
    "Delivery driver's mate, a furniture firm",
)
HOMES = (
    "Supported housing, a hostel place",
    "Council flat, own tenancy",
    "Private rented room, lodger",
)


class OutcomesDemo:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.rng = random.Random(builder.n_clients * 53 + 11)
        self.made: dict[Any, dt.datetime] = {}
        self.readings: list[OutcomeReading] = []
        self.scores: list[ReadingScore] = []
        self.milestones: list[Milestone] = []
        self.spells: list[Spell] = []
        self.checks: list[SpellCheck] = []
        self.pathways: list[MentorPathway] = []
        self.supervisions: list[MentorSupervision] = []
        self.mentoring: list[Mentoring] = []
        self.sessions: list[MentoringSession] = []
        self.scale = OutcomeScale.objects.filter(name=DEFAULT_SCALE).first()
        self.domains: list[OutcomeDomain] = list(self.scale.domains.order_by("order")) if self.scale else []

    def stamp(self, record: models.Model, when: dt.datetime) -> None:
        self.made[record.pk] = min(when, self.b.now)

    def worker(self, plan: _Plan) -> User:
        return plan.case.keyworker or self.b.dee

    # --- the build

    def build(self) -> None:
        b = self.b
        open_plans = [p for p in b.plans if p.case.status == CaseStatus.OPEN and p.case.keyworker is not None]
        for plan in open_plans:
            if self.domains and (b.today - plan.case.opened_on).days >= 30:
                self.reading_history(plan)
        for plan in open_plans:
            if not plan.staged and self.rng.random() < 0.25:
                self.spell(plan, SpellKind.WORK if self.rng.random() < 0.6 else SpellKind.ACCOMMODATION)
        self.jerome(b.featured["jerome"])
        self.rico_mentees()
        self.two_years()

    def reading_history(self, plan: _Plan) -> None:
        """A reading on the case's first week, then about every 91 days: low at first, drifting up, the worker
        a little more cautious than the client."""
        b = self.b
        day = plan.case.opened_on + dt.timedelta(days=self.rng.randint(3, 10))
        level = {d.pk: self.rng.choice((1, 1, 2, 2, 3)) for d in self.domains}
        start = max(day, b.today - dt.timedelta(days=730))
        day = start
        while day <= b.today:
            assert self.scale is not None
            reading = OutcomeReading(
                id=b.uuid(),
                client=plan.client,
                scale=self.scale,
                taken_on=day,
                taken_by=self.worker(plan),
                note="Reading taken together at a key session.",
            )
            self.readings.append(reading)
            self.stamp(reading, b.at(day, 14, 0))
            for domain in self.domains:
                level[domain.pk] = min(max(level[domain.pk] + self.rng.choice((-1, 0, 0, 1, 1)), 1), 5)
                client_value = level[domain.pk]
                worker_value = min(max(client_value + self.rng.choice((-1, 0, 0)), 1), 5)
                score = ReadingScore(
                    id=b.uuid(), reading=reading, domain=domain, client_value=client_value, worker_value=worker_value
                )
                self.scores.append(score)
                self.stamp(score, b.at(day, 14, 0))
            day += dt.timedelta(days=self.rng.randint(84, 98))

    def two_years(self) -> None:
        """Two years of outcomes beyond the open caseload: readings through each closed case, and milestones
        recorded by hand (into education, training or work; a qualification; drug-free; left the group) across
        open and closed cases alike. Its own random stream, and it leaves the staged week's people alone."""
        b = self.b
        rng = random.Random(b.n_clients * 131 + 7)
        featured = {plan.client.pk for plan in b.featured.values()}
        horizon = b.today - dt.timedelta(days=730)
        for plan in b.plans:
            case = plan.case
            if plan.staged or plan.client.pk in featured:
                continue
            ends = case.closed_on or b.today
            if ends < horizon or (ends - case.opened_on).days < 45:
                continue
            if case.status == CaseStatus.CLOSED and self.domains and case.keyworker is not None:
                self.readings_between(plan, max(case.opened_on, horizon), ends, rng)
            low = max(case.opened_on + dt.timedelta(days=30), horizon)
            kinds_done: set[str] = set()
            for chance in (0.6, 0.35):  # most people reach one milestone they can show, some two
                if low >= ends or rng.random() >= chance:
                    break
                kind, evidence_kind, evidence, detail = rng.choice(HAND_MILESTONES)
                if kind in kinds_done:
                    continue
                kinds_done.add(kind)
                on = low + dt.timedelta(days=rng.randint(0, (ends - low).days))
                self.milestone(plan, kind, on, evidence_kind, evidence, detail)

    def readings_between(self, plan: _Plan, start: dt.date, end: dt.date, rng: random.Random) -> None:
        """About quarterly readings over [start, end]: low at first, drifting up."""
        b = self.b
        assert self.scale is not None
        level = {d.pk: rng.choice((1, 1, 2, 2, 3)) for d in self.domains}
        day = start + dt.timedelta(days=rng.randint(3, 10))
        while day <= end:
            reading = OutcomeReading(
                id=b.uuid(),
                client=plan.client,
                scale=self.scale,
                taken_on=day,
                taken_by=self.worker(plan),
                note="Reading taken together at a key session.",
            )
            self.readings.append(reading)
            self.stamp(reading, b.at(day, 14, 0))
            for domain in self.domains:
                level[domain.pk] = min(max(level[domain.pk] + rng.choice((-1, 0, 0, 1, 1)), 1), 5)
                client_value = level[domain.pk]
                worker_value = min(max(client_value + rng.choice((-1, 0, 0)), 1), 5)
                score = ReadingScore(
                    id=b.uuid(), reading=reading, domain=domain, client_value=client_value, worker_value=worker_value
                )
                self.scores.append(score)
                self.stamp(score, b.at(day, 14, 0))
            day += dt.timedelta(days=rng.randint(84, 98))

    def milestone(
        self, plan: _Plan, kind: str, on: dt.date, evidence_kind: str, evidence: str, detail: str = ""
    ) -> None:
        record = Milestone(
            id=self.b.uuid(),
            client=plan.client,
            kind=kind,
            achieved_on=on,
            evidence_kind=evidence_kind,
            evidence=evidence,
            detail=detail,
            recorded_by=self.worker(plan),
        )
        self.milestones.append(record)
        self.stamp(record, self.b.at(on, 16, 0))

    def spell(self, plan: _Plan, kind: str) -> None:
        """A job or a home from some months back, checked about monthly (the milestones are worked out from
        these by the milestones refresh after saving)."""
        b = self.b
        started = max(plan.case.opened_on, b.today - dt.timedelta(days=self.rng.randint(60, 420)))
        spell = Spell(
            id=b.uuid(),
            client=plan.client,
            kind=kind,
            description=self.rng.choice(JOBS if kind == SpellKind.WORK else HOMES),
            started_on=started,
            recorded_by=self.worker(plan),
        )
        self.spells.append(spell)
        self.stamp(spell, b.at(started, 12, 0))
        day = started + dt.timedelta(days=28)
        while day <= b.today:
            check = SpellCheck(
                id=b.uuid(),
                spell=spell,
                checked_on=day,
                still_going=True,
                evidence_kind=self.rng.choice(
                    (EvidenceKind.DOCUMENT, EvidenceKind.SELF_REPORT, EvidenceKind.THIRD_PARTY)
                ),
                note="Checked at a key session.",
                checked_by=self.worker(plan),
            )
            self.checks.append(check)
            self.stamp(check, b.at(day, 12, 30))
            day += dt.timedelta(days=self.rng.randint(26, 35))

    def jerome(self, plan: _Plan) -> None:
        """Friday's client: courses and a qualification, then mentoring younger boys on his estate from his own
        peer-mentor account."""
        b, dee = self.b, self.b.dee
        mon = b.monday
        self.milestone(
            plan,
            MilestoneKind.LEFT_GROUP,
            mon - dt.timedelta(days=400),
            EvidenceKind.SELF_REPORT,
            "Told Dee he has cut ties with the group and moved his phone number.",
        )
        self.milestone(
            plan,
            MilestoneKind.COMPLETED_COURSE,
            mon - dt.timedelta(days=300),
            EvidenceKind.DOCUMENT,
            "Certificate seen and copied to file.",
            "Emergency first aid at work",
        )
        self.milestone(
            plan,
            MilestoneKind.QUALIFICATION,
            mon - dt.timedelta(days=210),
            EvidenceKind.DOCUMENT,
            "Certificate from the awarding body seen.",
            "Level 2 Award in Youth Work Practice",
        )
        self.milestone(
            plan,
            MilestoneKind.ENTERED_ETE,
            mon - dt.timedelta(days=260),
            EvidenceKind.THIRD_PARTY,
            "College confirmed his place by e-mail.",
            "Youth work course, Lambeth College",
        )
        account = next((u for u in b.staff.values() if u.email.startswith("jerome@")), None)
        pathway = MentorPathway(
            id=b.uuid(),
            client=plan.client,
            interest_on=mon - dt.timedelta(days=260),
            training_completed_on=mon - dt.timedelta(days=200),
            dbs_checked_on=mon - dt.timedelta(days=190),
            dbs_certificate="001234567890",
            supervisor=dee,
            mentor_account=account,
            started_mentoring_on=mon - dt.timedelta(days=180) if account else None,
        )
        self.pathways.append(pathway)
        self.stamp(pathway, b.at(mon - dt.timedelta(days=260), 15, 0))
        for weeks in range(2, 26, 6):
            record = MentorSupervision(
                id=b.uuid(),
                pathway=pathway,
                held_on=mon - dt.timedelta(days=180 - weeks * 7),
                supervisor=dee,
                note="Supervision: boundaries, keeping sessions in public places, what to pass on to Dee.",
            )
            self.supervisions.append(record)
            self.stamp(record, b.at(record.held_on, 17, 0))
        if account is not None:
            younger = [
                p
                for p in b.plans
                if not p.staged
                and p.spec.name == plan.spec.name
                and p.case.status == CaseStatus.OPEN
                and p.client.date_of_birth is not None
                and (b.today - p.client.date_of_birth).days < 18 * 365
            ][:3]
            for mentee in younger:
                self.mentor(account, mentee, mon - dt.timedelta(days=180))

    def rico_mentees(self) -> None:
        b = self.b
        rico = next((u for u in b.staff.values() if u.email.startswith("rico@")), None)
        if rico is None:
            return
        taken = {m.mentee.pk for m in self.mentoring}
        lambeth = [
            p
            for p in b.plans
            if not p.staged
            and p.spec.name == "Lambeth Gang Exit"
            and p.case.status == CaseStatus.OPEN
            and p.client.pk not in taken
        ][:2]
        for mentee in lambeth:
            self.mentor(rico, mentee, max(mentee.case.opened_on, b.today - dt.timedelta(days=120)))

    def mentor(self, mentor: User, mentee: _Plan, since: dt.date) -> None:
        b = self.b
        relationship = Mentoring(id=b.uuid(), mentor=mentor, mentee=mentee.client, started_on=since)
        self.mentoring.append(relationship)
        self.stamp(relationship, b.at(since, 16, 0))
        day = since + dt.timedelta(days=7)
        while day < b.today:
            session = MentoringSession(
                id=b.uuid(),
                mentoring=relationship,
                held_on=day,
                duration_minutes=self.rng.choice((45, 60, 60, 90)),
                note=self.rng.choice(SESSION_NOTES),
                recorded_by=mentor,
            )
            self.sessions.append(session)
            self.stamp(session, b.at(day, 18, 0))
            day += dt.timedelta(days=self.rng.choice((7, 7, 14)))

    # --- saving

    def save(self) -> None:
        from keyworker.core.demo import _restamp

        groups: list[tuple[type[models.Model], list[Any]]] = [
            (OutcomeReading, self.readings),
            (ReadingScore, self.scores),
            (Milestone, self.milestones),
            (Spell, self.spells),
            (SpellCheck, self.checks),
            (MentorPathway, self.pathways),
            (MentorSupervision, self.supervisions),
            (Mentoring, self.mentoring),
            (MentoringSession, self.sessions),
        ]
        for model, records in groups:
            model._base_manager.bulk_create(records, batch_size=500)
            for record in records:
                record.created_at = record.updated_at = self.made[record.pk]
            _restamp(model, records)
        self.course_milestones()

    def course_milestones(self) -> None:
        """The milestones worked out from the demo's completed courses and its work and housing spells, by the
        same refresh the services and the daily job run."""
        from keyworker.outcomes.services.milestones import milestones_refresh

        ids = {p.client.pk for p in self.b.plans}
        with_inputs = set(
            Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED, client_id__in=ids).values_list(
                "client_id", flat=True
            )
        ) | {spell.client.pk for spell in self.spells}
        for plan in self.b.plans:
            if plan.client.pk in with_inputs:
                milestones_refresh(client=plan.client, today=self.b.today)
