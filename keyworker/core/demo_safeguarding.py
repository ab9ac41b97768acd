"""The demo's safeguarding records (issue 7): risk reviews across the caseload, safety plans, concerns (one
about a client, one held on a partner's own restricted record with its DASH and MARAC referral, a county
lines concern with an NRM referral being chased), the on-call rota, and last night's crisis calls for the
morning handover. Built in memory by the demo builder and saved in bulk, on its own random stream."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING, Any

from django.db import models

from keyworker.accounts.models import Role, User
from keyworker.casework.models import CaseStatus, Task
from keyworker.people.models import ThirdParty
from keyworker.safeguarding.models import (
    Concern,
    ConcernAbout,
    ConcernAction,
    ConcernActionKind,
    ConcernCategory,
    ConcernStatus,
    CrisisCall,
    DashAssessment,
    DisclosedBy,
    LawfulBasis,
    MaracReferral,
    NrmDecision,
    NrmReferral,
    OnCallShift,
    RelocationStatus,
    RiskLevel,
    RiskReview,
    RiskReviewOccasion,
    SafetyPlan,
    SharingDecision,
)
from keyworker.safeguarding.services.on_call import RISK_REVIEW_TASK_TITLE

if TYPE_CHECKING:
    from keyworker.core.demo import _Builder, _Plan

LEVELS = (RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.VERY_HIGH)
REVIEW_DAYS = {RiskLevel.LOW: 84, RiskLevel.MEDIUM: 42, RiskLevel.HIGH: 14, RiskLevel.VERY_HIGH: 7}
REASONS = (
    "Keeping away from the old group; no threats reported since the last review.",
    "Former associates still live on the estate; he avoids the parade after dark.",
    "Low mood since the job fell through; says he would tell us if it got worse.",
    "Was threatened on social media last month; police aware. Staying with his nan for now.",
    "Back in touch with one of the older boys; says it is only about money he owes.",
    "Settled in the hostel; engaging well. No new information.",
    "Drinking more at weekends; arguments with his brother but nothing physical.",
    "Released recently; the people he fell out with are still inside.",
)
# Answers for the demo's DASH: "yes" to 15 of the 24 questions (the MARAC threshold is 14).
DASH_YES = {1, 2, 3, 4, 6, 8, 11, 12, 13, 14, 15, 16, 17, 22, 24}


class SafeguardingDemo:
    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.rng = random.Random(builder.n_clients * 31 + 7)
        self.made: dict[Any, dt.datetime] = {}
        self.third_parties: list[ThirdParty] = []
        self.concerns: list[Concern] = []
        self.actions: list[ConcernAction] = []
        self.decisions: list[SharingDecision] = []
        self.dash: list[DashAssessment] = []
        self.marac: list[MaracReferral] = []
        self.nrm: list[NrmReferral] = []
        self.reviews: list[RiskReview] = []
        self.plans: list[SafetyPlan] = []
        self.shifts: list[OnCallShift] = []
        self.calls: list[CrisisCall] = []
        self.call_tasks: list[tuple[CrisisCall, Task]] = []

    # --- helpers

    def stamp(self, record: models.Model, when: dt.datetime) -> None:
        self.made[record.pk] = min(when, self.b.now)

    @property
    def lead(self) -> User:
        return next(u for u in self.b.staff.values() if u.role == Role.SAFEGUARDING_LEAD)

    def keyworker(self, plan: _Plan) -> User:
        return plan.case.keyworker or self.b.dee

    # --- the build

    def build(self) -> None:
        b = self.b
        featured = b.featured
        self.kayla(featured["kayla"])
        for name in ("darnell", "reece", "mikey", "jerome"):
            self.review_history(featured[name], count=3)
        self.safety_plan(
            featured["darnell"],
            safe_areas="Brixton hostel and the college; his aunt's in Streatham.",
            safe_contacts="Aunt Pauline; Dee; the duty line out of hours.",
            emergency="Ring 999 if threatened. Then the duty line. Do not go to Stockwell, even to see friends.",
            relocation=RelocationStatus.NOT_NEEDED,
            on=b.monday - dt.timedelta(days=5),
        )
        self.safety_plan(
            featured["reece"],
            safe_areas="Home in Stockwell; the gym on Brixton Road.",
            safe_contacts="His mum; his probation officer; Dee.",
            emergency="Stay in, call the duty line, and call 999 if anyone comes to the door.",
            relocation=RelocationStatus.NOT_NEEDED,
            on=b.monday - dt.timedelta(days=40),
        )
        caseload = [p for p in b.plans if not p.staged and p.case.status == CaseStatus.OPEN]
        for plan in caseload:
            if self.rng.random() < 0.7:
                self.review_history(plan, count=self.rng.randint(1, 4))
        self.concern_about_client(featured["mikey"])
        southwark = [p for p in caseload if p.spec.name != "Lambeth Gang Exit" and p.case.keyworker is not None]
        self.rng.shuffle(southwark)
        if southwark:
            self.partner_concern(southwark[0])
        if len(southwark) > 1:
            self.county_lines_concern(southwark[1])
        self.rota()
        self.last_night(featured["jerome"], southwark[2] if len(southwark) > 2 else None)

    def kayla(self, plan: _Plan) -> None:
        """Monday's initial risk check and safety plan, once her first meeting has happened."""
        b = self.b
        if not b.kayla_met:
            return
        review = RiskReview(
            id=b.uuid(),
            client=plan.client,
            occasion=RiskReviewOccasion.INITIAL,
            risk_to_self=RiskLevel.LOW,
            risk_to_others=RiskLevel.LOW,
            risk_from_others=RiskLevel.HIGH,
            reasons="Retaliation if the group finds out she is talking to us: she has been told she cannot leave. "
            "Others check her phone.",
            reviewed_on=b.monday,
            reviewed_by=b.dee,
            next_review_on=b.monday + dt.timedelta(days=14),
        )
        self.reviews.append(review)
        self.stamp(review, b.at(b.monday, 12, 10))
        self.safety_plan(
            plan,
            safe_areas="College (the main entrance, not the back gate); her aunt's flat; the office.",
            safe_contacts="Her aunt; Dee (text only, code word); the duty line.",
            emergency="Text the code word to the office mobile, or ring 999. Go to her aunt's, never home, if "
            "followed. Routes to college avoid the parade.",
            relocation=RelocationStatus.CONSIDERING,
            on=b.monday,
        )

    def review_history(self, plan: _Plan, *, count: int) -> None:
        b = self.b
        opened = plan.case.opened_on
        span = max((b.today - opened).days, 1)
        days = sorted(self.rng.sample(range(span), min(count, span)))
        level = self.rng.choice((0, 0, 1, 1, 1, 2))
        for number, offset in enumerate(days):
            on = opened + dt.timedelta(days=offset)
            level = min(max(level + self.rng.choice((-1, 0, 0, 0, 1)), 0), 3)
            from_others = LEVELS[level]
            review = RiskReview(
                id=b.uuid(),
                client=plan.client,
                occasion=RiskReviewOccasion.INITIAL if number == 0 else RiskReviewOccasion.SCHEDULED,
                risk_to_self=self.rng.choice((RiskLevel.LOW, RiskLevel.LOW, RiskLevel.MEDIUM)),
                risk_to_others=self.rng.choice((RiskLevel.LOW, RiskLevel.MEDIUM)),
                risk_from_others=from_others,
                reasons=self.rng.choice(REASONS),
                reviewed_on=on,
                reviewed_by=self.keyworker(plan),
                next_review_on=on + dt.timedelta(days=REVIEW_DAYS[from_others]),
            )
            self.reviews.append(review)
            self.stamp(review, b.at(on, 15, 0))

    def safety_plan(
        self, plan: _Plan, *, safe_areas: str, safe_contacts: str, emergency: str, relocation: str, on: dt.date
    ) -> None:
        record = SafetyPlan(
            id=self.b.uuid(),
            client=plan.client,
            safe_areas=safe_areas,
            safe_contacts=safe_contacts,
            emergency_plan=emergency,
            relocation_status=relocation,
            updated_by=self.keyworker(plan),
        )
        self.plans.append(record)
        self.stamp(record, self.b.at(on, 12, 30))

    def concern(self, plan: _Plan, on: dt.date, **fields: Any) -> Concern:
        concern = Concern(
            id=self.b.uuid(),
            client=plan.client,
            disclosed_on=on,
            recorded_by=self.keyworker(plan),
            **fields,
        )
        self.concerns.append(concern)
        self.stamp(concern, self.b.at(on, 16, 0))
        return concern

    def action(self, concern: Concern, kind: str, on: dt.date, note: str, by: User) -> None:
        record = ConcernAction(id=self.b.uuid(), concern=concern, kind=kind, taken_on=on, note=note, taken_by=by)
        self.actions.append(record)
        self.stamp(record, self.b.at(on, 16, 30))

    def decision(
        self,
        on: dt.date,
        by: User,
        *,
        shared: bool,
        with_whom: str,
        basis: str,
        reasons: str,
        concern: Concern | None = None,
        call: CrisisCall | None = None,
    ) -> None:
        record = SharingDecision(
            id=self.b.uuid(),
            concern=concern,
            crisis_call=call,
            shared=shared,
            shared_with=with_whom if shared else "",
            lawful_basis=basis,
            reasons=reasons,
            decided_by=by,
            decided_at=self.b.at(on, 16, 45),
        )
        self.decisions.append(record)
        self.stamp(record, record.decided_at)

    def concern_about_client(self, plan: _Plan) -> None:
        """Mikey: a threat to his life passed on by his mum, with the lead."""
        b = self.b
        on = b.monday - dt.timedelta(days=9)
        concern = self.concern(
            plan,
            on,
            about=ConcernAbout.CLIENT,
            category=ConcernCategory.THREAT_TO_LIFE,
            disclosed_by=DisclosedBy.FAMILY,
            what_was_disclosed="His mum says older boys from the estate have been asking where he is staying and "
            "said he 'won't see Christmas'.",
            status=ConcernStatus.WITH_LEAD,
            review_on=b.today + dt.timedelta(days=2),
        )
        self.action(concern, ConcernActionKind.SAFEGUARDING_LEAD, on, "Passed to Sunita the same day.", b.dee)
        self.action(
            concern, ConcernActionKind.POLICE, on + dt.timedelta(days=1), "Reported; reference on file.", self.lead
        )
        self.decision(
            on + dt.timedelta(days=1),
            self.lead,
            concern=concern,
            shared=True,
            with_whom="Lambeth police",
            basis=LawfulBasis.VITAL_INTERESTS,
            reasons="A credible threat to his life; he agreed to the police being told.",
        )

    def partner_concern(self, plan: _Plan) -> None:
        """A partner's disclosure of abuse by a client, held on her own restricted record with a DASH (15 of 24)
        and a MARAC referral: his file shows only that a concern exists."""
        b = self.b
        on = b.today - dt.timedelta(days=20)
        victim = ThirdParty(
            id=b.uuid(),
            name="Toni Example-Partner",
            description="a young woman, a client's partner",
            phone="07700 900417",
            safe_contact_note="Only via the refuge's outreach worker.",
        )
        self.third_parties.append(victim)
        self.stamp(victim, b.at(on, 16, 0))
        concern = self.concern(
            plan,
            on,
            about=ConcernAbout.THIRD_PARTY,
            third_party=victim,
            category=ConcernCategory.DOMESTIC_ABUSE,
            disclosed_by=DisclosedBy.PERSON_AT_RISK,
            what_was_disclosed="At a home visit, while he was out of the room, she said he pushed her down the "
            "stairs last month and takes her phone. She is frightened of what he will do if she leaves.",
            status=ConcernStatus.WITH_LEAD,
            review_on=b.today + dt.timedelta(days=5),
        )
        worker = self.keyworker(plan)
        self.action(concern, ConcernActionKind.SAFEGUARDING_LEAD, on, "Passed to Sunita.", worker)
        answers = {str(q): ("yes" if q in DASH_YES else "no") for q in range(1, 25)}
        answers["21"] = "not_known"
        dash = DashAssessment(
            id=b.uuid(),
            concern=concern,
            answers=answers,
            score=sum(1 for a in answers.values() if a == "yes"),
            incidents_in_last_12_months=3,
            meets_marac_threshold=True,
            completed_on=on + dt.timedelta(days=1),
            completed_by=self.lead,
        )
        self.dash.append(dash)
        self.stamp(dash, b.at(on + dt.timedelta(days=1), 11, 0))
        marac = MaracReferral(
            id=b.uuid(),
            concern=concern,
            dash=dash,
            marac_area="Southwark",
            threshold_reasons="DASH score 15 of 24 (14 or more); 3 incidents in the last 12 months.",
            summary="Disclosed physical abuse (pushed down stairs) and control of her phone; frightened to leave.",
            referred_on=on + dt.timedelta(days=2),
            referred_by=self.lead,
            meeting_on=b.today + dt.timedelta(days=6),
        )
        self.marac.append(marac)
        self.stamp(marac, b.at(on + dt.timedelta(days=2), 10, 0))
        self.action(
            concern, ConcernActionKind.MARAC, on + dt.timedelta(days=2), "Referred to Southwark MARAC.", self.lead
        )
        self.decision(
            on + dt.timedelta(days=2),
            self.lead,
            concern=concern,
            shared=True,
            with_whom="MARAC (Southwark)",
            basis=LawfulBasis.SAFEGUARDING,
            reasons="High risk (DASH 15); sharing without telling him, so as not to raise the risk to her.",
        )

    def county_lines_concern(self, plan: _Plan) -> None:
        """County lines exploitation of a client, referred to the NRM by the council; the conclusive grounds
        decision is awaited and due a chase."""
        b = self.b
        on = b.today - dt.timedelta(days=75)
        concern = self.concern(
            plan,
            on,
            about=ConcernAbout.CLIENT,
            category=ConcernCategory.CHILD_CRIMINAL_EXPLOITATION,
            disclosed_by=DisclosedBy.CLIENT,
            what_was_disclosed="Says he was sent to Norfolk for two weeks to sell, held in a flat, and told he owes "
            "£2,000 for a 'lost' package.",
            status=ConcernStatus.OPEN,
            review_on=b.today + dt.timedelta(days=10),
        )
        self.action(
            concern,
            ConcernActionKind.NRM,
            on + dt.timedelta(days=3),
            "Council's modern slavery lead made the referral.",
            self.lead,
        )
        record = NrmReferral(
            id=b.uuid(),
            concern=concern,
            first_responder="London Borough of Southwark (children's services)",
            referred_on=on + dt.timedelta(days=3),
            is_adult=False,
            reasonable_grounds_on=on + dt.timedelta(days=8),
            reasonable_grounds=NrmDecision.POSITIVE,
            conclusive_grounds=NrmDecision.PENDING,
            next_chase_on=b.today + dt.timedelta(days=3),
            notes="Competent authority says a conclusive grounds decision is some months off.",
            recorded_by=self.lead,
        )
        self.nrm.append(record)
        self.stamp(record, b.at(on + dt.timedelta(days=3), 14, 0))

    def rota(self) -> None:
        """Cal covers nights (17:30 to 09:00) and weekends, from a week back to a fortnight ahead."""
        b = self.b
        manager = next(iter(b.managers.values()))
        day = b.today - dt.timedelta(days=7)
        while day <= b.today + dt.timedelta(days=14):
            start = b.at(day, 17, 30)
            if day.weekday() == 4:  # Friday night runs through to Monday morning
                end = b.at(day + dt.timedelta(days=3), 9, 0)
                step = 3
            else:
                end = b.at(day + dt.timedelta(days=1), 9, 0)
                step = 1
            if day.weekday() < 5:
                shift = OnCallShift(id=b.uuid(), worker=b.cal, starts_at=start, ends_at=end, added_by=manager)
                self.shifts.append(shift)
                self.stamp(shift, b.at(b.today - dt.timedelta(days=10), 10, 0))
            day += dt.timedelta(days=step)

    def last_night(self, jerome: _Plan, other: _Plan | None) -> None:
        """Two calls last night (the weekend's, on a Monday), each with its sharing decision and the follow-up
        and risk-review tasks the call raised for the keyworker: the morning handover lists them."""
        b = self.b
        night = b.today - dt.timedelta(days=1 if b.today.weekday() != 0 else 2)
        self.call(
            jerome,
            b.at(night, 22, 50),
            caller="the client",
            happened="Rang worried about Friday's hearing; someone from the old group messaged him asking for "
            "a favour.",
            advice="Do not reply; block the number; keep the phone on for Dee tomorrow. Talked through Friday.",
            shared=False,
            basis=LawfulBasis.NOT_APPLICABLE,
            reasons="No crime or risk to anyone else disclosed; he asked us to keep it between us and Dee.",
            follow_up="Ring Jerome about last night's message before the hearing",
        )
        if other is not None:
            self.call(
                other,
                b.at(night + dt.timedelta(days=1), 0, 40),
                caller="his sister",
                happened="Says he came home with a cut hand and will not say how; she thinks he has been fighting.",
                advice="Get the hand seen at A&E tonight; the on-call worker will tell his keyworker in the morning.",
                shared=False,
                basis=LawfulBasis.NOT_APPLICABLE,
                reasons="No disclosure of an offence; the client is an adult and was not at risk from others tonight.",
                follow_up="Follow up the cut hand and the fight with him",
            )

    def call(
        self,
        plan: _Plan,
        at: dt.datetime,
        *,
        caller: str,
        happened: str,
        advice: str,
        shared: bool,
        basis: str,
        reasons: str,
        follow_up: str,
    ) -> None:
        b = self.b
        call = CrisisCall(
            id=b.uuid(),
            client=plan.client,
            received_at=at,
            caller=caller,
            what_happened=happened,
            advice_given=advice,
            actions_taken="Logged; tasks for the keyworker.",
            taken_by=b.cal,
            break_glass=plan.case.team_id != b.cal.team_id,
        )
        self.calls.append(call)
        self.stamp(call, at + dt.timedelta(minutes=20))
        self.decision(at.date(), b.cal, call=call, shared=shared, with_whom="", basis=basis, reasons=reasons)
        owner = self.keyworker(plan)
        next_day = b.today if b.today.weekday() < 5 else b.today + dt.timedelta(days=7 - b.today.weekday())
        for title in (follow_up, RISK_REVIEW_TASK_TITLE):
            task = Task(
                id=b.uuid(),
                client=plan.client,
                case=plan.case,
                title=title,
                detail=f"Raised by the crisis call at {at:%H:%M on %-d %B}, taken by {b.cal.display_name}.",
                due_on=next_day,
                owner=owner,
                created_by=b.cal,
            )
            b.tasks.append(task)
            self.call_tasks.append((call, task))

    # --- saving

    def save(self) -> None:
        from keyworker.core.demo import _restamp

        groups: list[tuple[type[models.Model], list[Any]]] = [
            (ThirdParty, self.third_parties),
            (Concern, self.concerns),
            (ConcernAction, self.actions),
            (CrisisCall, self.calls),
            (SharingDecision, self.decisions),
            (DashAssessment, self.dash),
            (MaracReferral, self.marac),
            (NrmReferral, self.nrm),
            (RiskReview, self.reviews),
            (SafetyPlan, self.plans),
            (OnCallShift, self.shifts),
        ]
        for model, records in groups:
            model._base_manager.bulk_create(records, batch_size=500)
            for record in records:
                record.created_at = record.updated_at = self.made[record.pk]
            _restamp(model, records)
        CrisisCall.tasks.through.objects.bulk_create(
            CrisisCall.tasks.through(crisiscall_id=call.pk, task_id=task.pk) for call, task in self.call_tasks
        )
