"""Reading funding streams and a person's eligibility, always through the access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.casework.models import Case, CaseStatus
from keyworker.core import policy
from keyworker.core.errors import one_or_not_found
from keyworker.funding.models import (
    FundingStream,
    StreamAllocation,
    StreamTarget,
    TargetMeasure,
    UnfundedWork,
    WaitingListEntry,
)
from keyworker.funding.rules import Facts, StreamVerdict, evaluate
from keyworker.people.models import Client
from keyworker.people.selectors import client_get_for


def _current(on: dt.date, prefix: str = "") -> Q:
    """Allocations in force on `on`."""
    return Q(**{f"{prefix}starts_on__lte": on}) & (
        Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on})
    )


def stream_list_for(user: User, *, active_only: bool = False, on: dt.date | None = None) -> QuerySet[FundingStream]:
    """Streams with `places_used` on the date (today by default). Every casework role may read them."""
    if not policy.can_see_funding(user):
        return FundingStream.objects.none()
    on = on or timezone.localdate()
    streams = FundingStream.objects.select_related("funder").prefetch_related("rules", "target_figures")
    if active_only:
        streams = streams.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on), active=True, starts_on__lte=on)
    return streams.annotate(places_used=Count("allocations", filter=_current(on, "allocations__"), distinct=True))


def stream_get_for(user: User, stream_id: uuid.UUID | str) -> FundingStream:
    return one_or_not_found(stream_list_for(user), pk=stream_id)


def places_used(stream: FundingStream, *, on: dt.date | None = None) -> int:
    return StreamAllocation.objects.filter(_current(on or timezone.localdate()), stream=stream).count()


def places_left(stream: FundingStream, *, on: dt.date | None = None) -> int:
    return max(stream.places - places_used(stream, on=on), 0)


def facts_for(
    client: Client,
    case: Case | None,
    *,
    as_at: dt.date,
    in_custody: bool | None = None,
    released_on: dt.date | None = None,
    referral_source: str = "",
    referred_on: dt.date | None = None,
) -> Facts:
    """The facts the eligibility rules read. The referral's source and date come from the referral that
    became the case (if any; otherwise "at referral" counts from the day the case opened). Custody facts
    arrive with issue 5, so they are passed in (unknown until then)."""
    if case is not None and not referral_source:
        # The referral that became this case, if there was one: its source and date are facts for the rules.
        referral = case.referrals.order_by("-received_at").first()
        if referral is not None:
            referral_source = referral.source
            referred_on = referred_on or timezone.localdate(referral.received_at)
    return Facts(
        as_at=as_at,
        date_of_birth=client.date_of_birth,
        gender=client.gender,
        home_area=client.home_area,
        postcode=client.postcode,
        programme=case.programme if case is not None else "",
        referred_on=referred_on or (case.opened_on if case is not None else None),
        referral_source=referral_source,
        in_custody=in_custody,
        released_on=released_on,
    )


@dataclass(frozen=True)
class StreamEligibility:
    stream: FundingStream
    verdict: StreamVerdict
    places_left: int


def case_for_funding(user: User, client: Client, case_id: uuid.UUID | str | None = None) -> Case | None:
    """The named case of the client (NotFound if it is not theirs), or their latest open case."""
    cases = policy.cases_visible_to(user).filter(client=client)
    if case_id is not None:
        return one_or_not_found(cases, pk=case_id)
    return cases.filter(status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]).order_by("-opened_on").first()


def eligibility_for(
    user: User,
    client_id: uuid.UUID | str,
    case_id: uuid.UUID | str | None = None,
    *,
    as_at: dt.date | None = None,
    in_custody: bool | None = None,
    released_on: dt.date | None = None,
    referral_source: str = "",
    referred_on: dt.date | None = None,
) -> tuple[Client, Case | None, list[StreamEligibility]]:
    """Every active stream: eligible or not (and why), with places left. NotFound for a client out of
    reach. The caller records the view (audit.client_viewed) when it shows the result."""
    client = client_get_for(user, client_id)
    case = case_for_funding(user, client, case_id)
    as_at = as_at or timezone.localdate()
    facts = facts_for(
        client,
        case,
        as_at=as_at,
        in_custody=in_custody,
        released_on=released_on,
        referral_source=referral_source,
        referred_on=referred_on,
    )
    results = [
        StreamEligibility(
            stream=stream,
            verdict=evaluate(list(stream.rules.all()), facts),
            places_left=max(stream.places - getattr(stream, "places_used", 0), 0),
        )
        for stream in stream_list_for(user, active_only=True, on=as_at)
    ]
    return client, case, results


def unfunded_list_for(user: User, *, pending_only: bool = False) -> QuerySet[UnfundedWork]:
    """Unfunded work on cases whose client the user can see."""
    work = UnfundedWork.objects.filter(case__in=policy.cases_visible_to(user)).select_related("case", "case__client")
    return work.filter(decision="pending") if pending_only else work


def waiting_list_for(user: User, *, stream: FundingStream | None = None) -> QuerySet[WaitingListEntry]:
    entries = WaitingListEntry.objects.filter(
        client__in=policy.clients_visible_to(user), removed_on__isnull=True
    ).select_related("client", "stream")
    return entries.filter(stream=stream) if stream is not None else entries


def eligibility_for_facts(user: User, facts: Facts) -> list[StreamEligibility]:
    """Every active stream judged on facts not yet tied to a client (a referral before it is accepted)."""
    return [
        StreamEligibility(
            stream=stream,
            verdict=evaluate(list(stream.rules.all()), facts),
            places_left=max(stream.places - getattr(stream, "places_used", 0), 0),
        )
        for stream in stream_list_for(user, active_only=True, on=facts.as_at)
    ]


def stream_targets_of(stream: FundingStream) -> list[StreamTarget]:
    """A stream's targets in the order the measures are listed (whoever may read the stream reads them)."""
    order = {value: number for number, value in enumerate(TargetMeasure.values)}
    return sorted(stream.target_figures.all(), key=lambda t: order.get(t.measure, len(order)))


def stream_target_get_for(user: User, stream: FundingStream, target_id: uuid.UUID | str) -> StreamTarget:
    """One of the stream's targets, for someone who may read the stream (NotFound otherwise)."""
    if not policy.can_see_funding(user):
        return one_or_not_found(StreamTarget.objects.none(), pk=target_id)
    return one_or_not_found(StreamTarget.objects.filter(stream=stream), pk=target_id)
