"""The demo's funding history (issue 8), so a funder report is worth opening: who the demo's clients are
(ethnicity, on its own random stream), streams funding cases that have closed as well as open ones (so
allocations start and end over two years), the referral each funded case came from, and each stream's targets.
Built in memory and saved in bulk by demo.py's save_funding."""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from keyworker.casework.models import CaseStatus, Programme
from keyworker.funding.models import FundingStream, StreamAllocation, StreamTarget, TargetMeasure
from keyworker.funding.rules import Facts, evaluate
from keyworker.intake.models import Referral, ReferralSource, ReferralStatus, Urgency
from keyworker.people.models import Ethnicity

if TYPE_CHECKING:
    from keyworker.core.demo import _Builder, _Plan
    from keyworker.funding.models import EligibilityRule

__all__ = ["MAIN_STREAM", "STREAM_TARGETS", "FundingHistory", "ethnicity_for"]

# The stream a funder report is shown for first: broad enough that a quarter holds dozens of people.
MAIN_STREAM = "Keyworker Programme: Lambeth and Southwark"

# A South London caseload as the person describes themselves (2021 census categories); a few not asked or
# not said, as in life. Weights, not shares of any real service.
ETHNICITY_WEIGHTS: tuple[tuple[str, int], ...] = (
    (Ethnicity.WHITE_BRITISH, 26),
    (Ethnicity.WHITE_IRISH, 2),
    (Ethnicity.WHITE_TRAVELLER, 1),
    (Ethnicity.WHITE_ROMA, 1),
    (Ethnicity.WHITE_OTHER, 7),
    (Ethnicity.BLACK_AFRICAN, 14),
    (Ethnicity.BLACK_CARIBBEAN, 13),
    (Ethnicity.BLACK_OTHER, 5),
    (Ethnicity.MIXED_WHITE_BLACK_CARIBBEAN, 7),
    (Ethnicity.MIXED_WHITE_BLACK_AFRICAN, 2),
    (Ethnicity.MIXED_WHITE_ASIAN, 1),
    (Ethnicity.MIXED_OTHER, 3),
    (Ethnicity.ASIAN_BANGLADESHI, 2),
    (Ethnicity.ASIAN_INDIAN, 2),
    (Ethnicity.ASIAN_PAKISTANI, 2),
    (Ethnicity.ASIAN_CHINESE, 1),
    (Ethnicity.ASIAN_OTHER, 1),
    (Ethnicity.OTHER_ARAB, 1),
    (Ethnicity.OTHER_ANY, 2),
    (Ethnicity.NOT_SAID, 3),
    ("", 4),  # not asked
)

# What each funder expects over the whole stream, by stream name: (measure, target, the funder's wording).
STREAM_TARGETS: dict[str, tuple[tuple[str, int, str], ...]] = {
    MAIN_STREAM: (
        (TargetMeasure.REFERRED, 240, "120 referrals a year"),
        (TargetMeasure.ENGAGED, 180, "Three in four referred engage"),
        (TargetMeasure.ENTERED_ETE, 60, "30 a year into education, training or work"),
        (TargetMeasure.COMPLETED_COURSE, 30, ""),
        (TargetMeasure.QUALIFICATION, 20, ""),
        (TargetMeasure.HOUSING_3_MONTHS, 30, ""),
        (TargetMeasure.LEFT_GROUP, 40, "Leaving a group, in their own words"),
    ),
    "Safer Streets Youth Fund": (
        (TargetMeasure.ENGAGED, 60, "60 young people a year"),
        (TargetMeasure.NO_REOFFENDING_12_MONTHS, 40, ""),
    ),
    "Through the Gate Resettlement Grant": (
        (TargetMeasure.ENGAGED, 40, "Met at the gate within a day of release"),
        (TargetMeasure.HOUSING_3_MONTHS, 30, "75% in settled housing at three months"),
    ),
    "Boys to Men Mentoring": ((TargetMeasure.ENGAGED, 40, "40 boys and young men a year"),),
    "Women's Justice Pathway": ((TargetMeasure.REFERRED, 12, "12 a year"),),
    "Croydon Young People's Fund": ((TargetMeasure.ENTERED_ETE, 20, "Back in education or training within a term"),),
}

# Where a case's referral came from, by programme.
SOURCES: dict[str, tuple[tuple[str, int], ...]] = {
    Programme.RESETTLEMENT: ((ReferralSource.PRISON, 6), (ReferralSource.PROBATION, 4), (ReferralSource.SELF, 1)),
    Programme.GANG_EXIT: (
        (ReferralSource.YOUTH_OFFENDING_TEAM, 3),
        (ReferralSource.POLICE, 2),
        (ReferralSource.HOSPITAL, 2),
        (ReferralSource.SELF, 2),
        (ReferralSource.FAMILY, 2),
        (ReferralSource.CHARITY, 1),
    ),
    Programme.YOUNG_PEOPLE: (
        (ReferralSource.SCHOOL, 4),
        (ReferralSource.YOUTH_OFFENDING_TEAM, 3),
        (ReferralSource.FAMILY, 2),
        (ReferralSource.SELF, 1),
    ),
    Programme.WOMEN_AND_GIRLS: ((ReferralSource.PROBATION, 3), (ReferralSource.SELF, 3), (ReferralSource.CHARITY, 2)),
    Programme.PEER_MENTORING: ((ReferralSource.SELF, 3), (ReferralSource.CHARITY, 1)),
}
REASONS: dict[str, str] = {
    Programme.RESETTLEMENT: "Due out soon with nowhere settled to go; wants help with housing, benefits and work.",
    Programme.GANG_EXIT: "Wants to get away from the group they have been pulled into; worried for their safety.",
    Programme.YOUNG_PEOPLE: "Out of school and drifting; family worried about who they are spending time with.",
    Programme.WOMEN_AND_GIRLS: "On an order and struggling; asked for a woman worker.",
    Programme.PEER_MENTORING: "Finished their own support and wants to help others who are where they were.",
}


def ethnicity_for(rng: random.Random) -> str:
    options, weights = zip(*ETHNICITY_WEIGHTS, strict=True)
    return str(rng.choices(options, weights)[0])


class FundingHistory:
    """Allocations on cases that have closed (each ending on the day its case closed), the referral each
    funded case came from, and the streams' targets. Its own random stream, so the rest of the demo stays."""

    def __init__(self, builder: _Builder) -> None:
        self.b = builder
        self.rng = random.Random(builder.n_clients * 97 + 5)
        self.source_of: dict[object, str] = {}  # case id -> where its referral came from

    def source(self, plan: _Plan) -> str:
        """Where the case's referral came from (drawn once, so eligibility and the referral agree)."""
        case = plan.case
        if case.pk not in self.source_of:
            options, weights = zip(*SOURCES[case.programme], strict=True)
            self.source_of[case.pk] = str(self.rng.choices(options, weights)[0])
        return self.source_of[case.pk]

    def closed_allocations(
        self, plans: list[_Plan], streams: list[tuple[FundingStream, list[EligibilityRule]]]
    ) -> list[StreamAllocation]:
        """Most closed cases that a stream's rules covered when they were referred were funded by it, from the
        later of referral and stream start to the day the case closed."""
        b = self.b
        made = []
        for plan in plans:
            case, client = plan.case, plan.client
            if plan.staged or case.status != CaseStatus.CLOSED or case.closed_on is None:
                continue
            inside = plan.in_custody(case.opened_on)
            facts = Facts(
                as_at=case.opened_on,
                date_of_birth=client.date_of_birth,
                gender=client.gender,
                home_area=client.home_area,
                postcode=client.postcode,
                programme=case.programme,
                referred_on=case.opened_on,
                referral_source=self.source(plan),
                in_custody=inside,
                released_on=plan.release_on
                if plan.prison and not inside and plan.release_on and plan.release_on <= case.opened_on
                else None,
            )
            eligible = [s for s, rules in streams if s.starts_on <= case.closed_on and evaluate(rules, facts).eligible]
            if not eligible or self.rng.random() > 0.85:
                continue
            weights = [3 if s.name == MAIN_STREAM else 1 for s in eligible]
            stream = self.rng.choices(eligible, weights)[0]
            manager = b.managers.get(case.team.name)
            made.append(
                StreamAllocation(
                    id=b.uuid(),
                    case=case,
                    stream=stream,
                    starts_on=max(case.opened_on, stream.starts_on),
                    ends_on=case.closed_on,
                    allocated_by=case.keyworker or manager or b.dee,
                )
            )
        return made

    def referrals(self, allocations: list[StreamAllocation], plans: list[_Plan]) -> list[Referral]:
        """The inbound referral each funded case was accepted from, received a few days before it opened."""
        b = self.b
        made: list[Referral] = []
        seen = set()
        plan_of = {plan.case.pk: plan for plan in plans}
        for allocation in allocations:
            case = allocation.case
            if case.pk in seen:
                continue
            seen.add(case.pk)
            client = case.client
            received = b.at(case.opened_on - dt.timedelta(days=self.rng.randint(1, 12)), self.rng.randint(9, 16))
            source = self.source(plan_of[case.pk])
            manager = b.managers.get(case.team.name)
            made.append(
                Referral(
                    id=b.uuid(),
                    source=source,
                    received_at=received,
                    reason=REASONS[case.programme],
                    urgency=self.rng.choice((Urgency.ROUTINE, Urgency.ROUTINE, Urgency.WITHIN_A_WEEK)),
                    first_name=client.first_name,
                    last_name=client.last_name,
                    preferred_name=client.preferred_name,
                    date_of_birth=client.date_of_birth,
                    gender=client.gender,
                    home_area=client.home_area,
                    postcode=client.postcode,
                    team=case.team,
                    status=ReferralStatus.ACCEPTED,
                    first_contact_at=received + dt.timedelta(days=self.rng.randint(1, 3)),
                    client=client,
                    case=case,
                    received_by=manager or case.keyworker or b.dee,
                )
            )
        return made

    def targets(self, streams: list[FundingStream]) -> list[StreamTarget]:
        return [
            StreamTarget(id=self.b.uuid(), stream=stream, measure=measure, target=target, note=note)
            for stream in streams
            for measure, target, note in STREAM_TARGETS.get(stream.name, ())
        ]

    def save(self, referrals: list[Referral], targets: list[StreamTarget]) -> None:
        from keyworker.core.demo import _restamp

        Referral.objects.bulk_create(referrals, batch_size=500)
        for referral in referrals:
            referral.created_at = referral.updated_at = referral.received_at
        _restamp(Referral, referrals)
        StreamTarget.objects.bulk_create(targets, batch_size=500)
