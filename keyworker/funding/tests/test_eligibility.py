"""Eligibility for a client across the active streams, through the access policy (Monday's intake)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from keyworker.casework.models import Programme
from keyworker.core import policy
from keyworker.core.errors import NotFound
from keyworker.core.testing import CaseFactory, Personas
from keyworker.funding.models import Funder, FundingStream
from keyworker.funding.selectors import eligibility_for, stream_list_for, unfunded_list_for, waiting_list_for
from keyworker.funding.services import (
    case_allocate_to_stream,
    eligibility_rule_add,
    funding_stream_create,
    unfunded_request,
    waiting_list_add,
)

pytestmark = pytest.mark.django_db


def _years_ago(years: int) -> dt.date:
    today = timezone.localdate()
    return dt.date(today.year - years, today.month, min(today.day, 28))


def _streams(p: Personas) -> dict[str, FundingStream]:
    funder = Funder.objects.create(name="London Violence Fund")
    start = timezone.localdate() - dt.timedelta(days=100)
    specs = {
        "Boys to Men": {"gender": {"genders": ["male"]}, "age_range": {"min": 16, "max": 25}},
        "Through the Gate": {"custody_status": {"released_within_months": 6}},
        "Lambeth Youth": {"age_range": {"min": 14, "max": 19}, "home_area": {"areas": ["Lambeth", "SE11"]}},
    }
    made = {}
    for name, rules in specs.items():
        stream = funding_stream_create(actor=p.manager, funder=funder, name=name, starts_on=start, places=3)
        for kind, params in rules.items():
            eligibility_rule_add(actor=p.manager, stream=stream, kind=kind, parameters=params)
        made[name] = stream
    funding_stream_create(actor=p.manager, funder=funder, name="Closed", starts_on=start, places=3, active=False)
    funding_stream_create(
        actor=p.manager, funder=funder, name="Ended", starts_on=start, ends_on=start + dt.timedelta(days=1), places=3
    )
    return made


def test_mondays_young_woman_is_eligible_for_none_and_every_no_is_explained(personas: Personas):
    _streams(personas)
    today = timezone.localdate()
    her = personas.client_of(
        personas.you,
        first_name="Tanya",
        gender="female",
        date_of_birth=_years_ago(21) - dt.timedelta(days=3),
        home_area="Croydon",
        postcode="CR0 2AB",
    )
    client, case, results = eligibility_for(personas.you, her.pk)
    assert client == her and case == her.cases.get()
    by_name = {r.stream.name: r for r in results}
    assert set(by_name) == {"Boys to Men", "Through the Gate", "Lambeth Youth"}  # active streams only
    assert not any(r.verdict.eligible for r in results)
    assert by_name["Boys to Men"].verdict.reasons == ["This stream is for men and boys."]
    assert by_name["Through the Gate"].verdict.reasons == [
        "Custody status is not recorded; this stream is for people released from custody within the last 6 months."
    ]
    assert by_name["Lambeth Youth"].verdict.reasons == [
        f"Age 21 on {today.day} {today:%b %Y} is outside 14\u201319.",
        "Home area Croydon (CR0) is not in Lambeth, SE11.",
    ]
    assert all(r.places_left == 3 for r in results)


def test_places_left_and_facts_passed_in(personas: Personas):
    streams = _streams(personas)
    gate = streams["Through the Gate"]
    him = personas.client_of(personas.you, gender="male")
    released = timezone.localdate() - dt.timedelta(days=20)
    case_allocate_to_stream(
        actor=personas.you, case=him.cases.get(), stream=gate, in_custody=False, released_on=released
    )
    _, _, results = eligibility_for(personas.you, him.pk, in_custody=False, released_on=released)
    by_name = {r.stream.name: r for r in results}
    assert by_name["Through the Gate"].verdict.eligible
    assert by_name["Through the Gate"].places_left == 2
    assert by_name["Boys to Men"].places_left == 3


def test_age_at_referral_counts_from_the_case_opening_until_referrals_exist(personas: Personas):
    funder = Funder.objects.create(name="Fund")
    stream = funding_stream_create(
        actor=personas.manager, funder=funder, name="Under 18s", starts_on=dt.date(2020, 1, 1), places=5
    )
    eligibility_rule_add(
        actor=personas.manager, stream=stream, kind="age_range", parameters={"max": 17, "at": "referral"}
    )
    today = timezone.localdate()
    client = personas.client_of(personas.you, date_of_birth=_years_ago(18) - dt.timedelta(days=1))
    case = client.cases.get()
    case.opened_on = today - dt.timedelta(days=90)  # 17 when the case opened, 18 today
    case.save()
    [result] = eligibility_for(personas.you, client.pk, case.pk)[2]
    assert result.verdict.eligible


def test_out_of_reach_is_not_found(personas: Personas):
    _streams(personas)
    theirs = personas.client_of(personas.other_caseworker)
    mine = personas.client_of(personas.you)
    for user, client_id in [
        (personas.you, theirs.pk),
        (personas.manager, theirs.pk),
        (personas.report_viewer, mine.pk),
        (personas.you, "not-a-uuid"),
    ]:
        with pytest.raises(NotFound):
            eligibility_for(user, client_id)
    with pytest.raises(NotFound):  # a case that is not this client's
        eligibility_for(personas.you, mine.pk, theirs.cases.get().pk)


def test_stream_list_is_for_casework_roles(personas: Personas):
    _streams(personas)
    assert stream_list_for(personas.you).count() == 5
    assert stream_list_for(personas.you, active_only=True).count() == 3
    assert not stream_list_for(personas.report_viewer).exists()


def test_unfunded_and_waiting_lists_follow_reach(personas: Personas):
    streams = _streams(personas)
    mine = personas.client_of(personas.you)
    theirs = personas.client_of(personas.other_caseworker)
    unfunded_request(actor=personas.you, case=mine.cases.get(), reason="No stream covers this person.")
    unfunded_request(actor=personas.other_caseworker, case=theirs.cases.get(), reason="No stream covers them.")
    waiting_list_add(actor=personas.you, client=mine, stream=streams["Boys to Men"])
    waiting_list_add(actor=personas.other_caseworker, client=theirs)
    assert [w.case.client for w in unfunded_list_for(personas.manager, pending_only=True)] == [mine]
    assert [w.case.client for w in unfunded_list_for(personas.other_manager)] == [theirs]
    assert [e.client for e in waiting_list_for(personas.you)] == [mine]
    assert not waiting_list_for(personas.you, stream=streams["Lambeth Youth"]).exists()
    assert not unfunded_list_for(personas.report_viewer).exists()


def test_funding_policy(personas: Personas):
    mine = personas.client_of(personas.you).cases.get()
    other_team_case = CaseFactory(
        client=mine.client, keyworker=personas.other_caseworker, team=personas.other_team, programme=Programme.GANG_EXIT
    )
    assert policy.can_manage_funding(personas.manager) and policy.can_manage_funding(personas.other_manager)
    assert not policy.can_manage_funding(personas.you) and not policy.can_manage_funding(personas.report_viewer)
    assert policy.can_see_funding(personas.you) and not policy.can_see_funding(personas.report_viewer)
    assert policy.can_fund_case(personas.you, mine) and policy.can_fund_case(personas.teammate, mine)
    assert not policy.can_fund_case(personas.you, other_team_case)  # another team's episode of the same client
    assert policy.can_approve_unfunded(personas.manager, mine)
    assert not policy.can_approve_unfunded(personas.manager, other_team_case)
    assert not policy.can_approve_unfunded(personas.other_manager, mine)
    assert not policy.can_approve_unfunded(personas.you, mine)
