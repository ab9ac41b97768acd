"""The eligibility engine: plain functions, examples and properties (no database)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keyworker.funding.rules import (
    GENDER_WORDS,
    KIND_ORDER,
    PROGRAMME_WORDS,
    REFERRAL_SOURCE_WORDS,
    Facts,
    Kind,
    Rule,
    age_on,
    evaluate,
    months_before,
    parameter_problems,
    postcode_district,
)

TODAY = dt.date(2026, 11, 27)


def _facts(**fields) -> Facts:
    return Facts(as_at=fields.pop("as_at", TODAY), **fields)


# ----------------------------------------------------------------------------------------------- examples


def test_age_outside_the_range_is_explained_with_the_date():
    verdict = evaluate(
        [Rule(Kind.AGE_RANGE, {"min": 14, "max": 25, "at": "today"})], _facts(date_of_birth=dt.date(1995, 1, 2))
    )
    assert not verdict.eligible
    assert verdict.reasons == ["Age 31 on 27 Nov 2026 is outside 14\u201325."]


def test_age_at_referral_uses_the_referral_date():
    rule = Rule(Kind.AGE_RANGE, {"min": 14, "max": 25, "at": "referral"})
    facts = _facts(date_of_birth=dt.date(2000, 6, 1), referred_on=dt.date(2025, 5, 31))
    assert evaluate([rule], facts).eligible  # 24 at referral, 26 today
    assert evaluate([Rule(Kind.AGE_RANGE, {"min": 14, "max": 25})], facts).reasons == [
        "Age 26 on 27 Nov 2026 is outside 14\u201325."
    ]
    no_referral = evaluate([rule], _facts(date_of_birth=dt.date(2000, 6, 1)))
    assert no_referral.reasons == [
        "Referral date is not recorded, so age at referral is unknown; this stream is for ages 14\u201325."
    ]


def test_open_ended_age_ranges_read_naturally():
    young = _facts(date_of_birth=dt.date(2015, 1, 1))
    assert evaluate([Rule(Kind.AGE_RANGE, {"min": 18})], young).reasons == [
        "Age 11 on 27 Nov 2026 is outside 18 or over."
    ]
    assert evaluate([Rule(Kind.AGE_RANGE, {"max": 10})], young).reasons == [
        "Age 11 on 27 Nov 2026 is outside 10 or under."
    ]


def test_unknown_gender_is_never_eligible_and_says_who_the_stream_is_for():
    rule = Rule(Kind.GENDER, {"genders": ["female"]})
    assert evaluate([rule], _facts(gender="not_said")).reasons == [
        "Gender is not recorded; this stream is for women and girls."
    ]
    assert evaluate([rule], _facts(gender="male")).reasons == ["This stream is for women and girls."]
    assert evaluate([rule], _facts(gender="female")).eligible


def test_home_area_matches_borough_or_postcode_district():
    rule = Rule(Kind.HOME_AREA, {"areas": ["Lambeth", "Southwark", "SE11"]})
    assert evaluate([rule], _facts(home_area="lambeth")).eligible
    assert evaluate([rule], _facts(home_area="Kennington", postcode="se11 5ab")).eligible
    assert evaluate([rule], _facts(postcode="SE115AB")).eligible
    assert evaluate([rule], _facts(home_area="Croydon")).reasons == [
        "Home area Croydon is not in Lambeth, Southwark, SE11."
    ]
    assert evaluate([rule], _facts(home_area="Croydon", postcode="CR0 1AA")).reasons == [
        "Home area Croydon (CR0) is not in Lambeth, Southwark, SE11."
    ]
    assert evaluate([rule], _facts()).reasons == [
        "Home area and postcode are not recorded; this stream covers Lambeth, Southwark, SE11."
    ]


@pytest.mark.parametrize(
    ("postcode", "district"),
    [("SE11 5AB", "SE11"), ("se115ab", "SE11"), ("SW1A 1AA", "SW1A"), ("CR0 1AA", "CR0"), ("E1", "E1"), ("", "")],
)
def test_postcode_district(postcode: str, district: str):
    assert postcode_district(postcode) == district


def test_programme_and_referral_source():
    programme = Rule(Kind.PROGRAMME, {"programmes": ["resettlement"]})
    assert evaluate([programme], _facts(programme="resettlement")).eligible
    assert evaluate([programme], _facts(programme="gang_exit")).reasons == [
        "Programme Gang exit is not one this stream funds (Resettlement (through the gate))."
    ]
    source = Rule(Kind.REFERRAL_SOURCE, {"sources": ["probation", "prison"]})
    assert evaluate([source], _facts(referral_source="self")).reasons == [
        "Referred by self-referral; this stream takes referrals from probation, prison."
    ]
    assert "not recorded" in evaluate([source], _facts()).reasons[0]


def test_custody_status_unknown_until_recorded():
    in_custody = Rule(Kind.CUSTODY_STATUS, {"in_custody": True})
    assert evaluate([in_custody], _facts()).reasons == [
        "Custody status is not recorded; this stream is for people in custody."
    ]
    assert evaluate([in_custody], _facts(in_custody=True)).eligible
    assert evaluate([in_custody], _facts(in_custody=False)).reasons == [
        "Not in custody; this stream is for people in custody."
    ]


def test_released_within_months():
    rule = Rule(Kind.CUSTODY_STATUS, {"released_within_months": 6})
    assert evaluate([rule], _facts(in_custody=False, released_on=dt.date(2026, 5, 27))).eligible
    late = evaluate([rule], _facts(in_custody=False, released_on=dt.date(2026, 5, 26)))
    assert late.reasons == [
        "Released on 26 May 2026, more than 6 months before 27 Nov 2026; this stream is for people released "
        "from custody within the last 6 months."
    ]
    assert evaluate([rule], _facts(in_custody=True)).reasons[0].startswith("Still in custody")
    assert evaluate([rule], _facts()).reasons[0].startswith("Custody status is not recorded")
    assert evaluate([rule], _facts(in_custody=False)).reasons[0].startswith("Release date is not recorded")
    assert "still to come" in evaluate([rule], _facts(released_on=dt.date(2026, 12, 1))).reasons[0]


def test_every_failing_rule_gives_its_own_reason():
    rules = [
        Rule(Kind.AGE_RANGE, {"min": 14, "max": 25}),
        Rule(Kind.GENDER, {"genders": ["male"]}),
        Rule(Kind.HOME_AREA, {"areas": ["Lambeth"]}),
    ]
    verdict = evaluate(rules, _facts(date_of_birth=dt.date(2008, 1, 1), gender="female", home_area="Croydon"))
    assert verdict.reasons == ["This stream is for men and boys.", "Home area Croydon is not in Lambeth."]


def test_a_rule_with_broken_settings_never_passes():
    verdict = evaluate([Rule(Kind.AGE_RANGE, {"min": "old"})], _facts(date_of_birth=dt.date(2000, 1, 1)))
    assert not verdict.eligible and "cannot be checked" in verdict.reasons[0]


@pytest.mark.parametrize(
    ("kind", "parameters"),
    [
        (Kind.AGE_RANGE, {}),
        (Kind.AGE_RANGE, {"min": 30, "max": 20}),
        (Kind.AGE_RANGE, {"min": -1}),
        (Kind.AGE_RANGE, {"min": True}),
        (Kind.AGE_RANGE, {"min": 14, "at": "birthday"}),
        (Kind.AGE_RANGE, {"min": 14, "colour": "blue"}),
        (Kind.GENDER, {"genders": []}),
        (Kind.GENDER, {"genders": ["not_said"]}),
        (Kind.HOME_AREA, {"areas": "Lambeth"}),
        (Kind.HOME_AREA, {"areas": [" "]}),
        (Kind.PROGRAMME, {"programmes": ["knitting"]}),
        (Kind.CUSTODY_STATUS, {}),
        (Kind.CUSTODY_STATUS, {"in_custody": True, "released_within_months": 6}),
        (Kind.CUSTODY_STATUS, {"in_custody": "yes"}),
        (Kind.CUSTODY_STATUS, {"released_within_months": 0}),
        (Kind.REFERRAL_SOURCE, {"sources": ["pigeon"]}),
        ("star_sign", {"signs": ["Leo"]}),
        (Kind.GENDER, ["female"]),
    ],
)
def test_bad_parameters_are_explained(kind, parameters):
    assert parameter_problems(kind, parameters)


def test_dates():
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 2, 28)) == 17
    assert age_on(dt.date(2000, 2, 29), dt.date(2018, 3, 1)) == 18
    assert months_before(dt.date(2026, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 1, 15), 13) == dt.date(2024, 12, 15)


# --------------------------------------------------------------------------------------------- properties

dates = st.dates(min_value=dt.date(1940, 1, 1), max_value=dt.date(2040, 12, 31))
maybe_dates = st.none() | dates
ages = st.integers(min_value=0, max_value=120)


@st.composite
def age_rules(draw) -> Rule:
    lo, hi = draw(st.none() | ages), draw(st.none() | ages)
    if lo is None and hi is None:
        lo = draw(ages)
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    params: dict = {"at": draw(st.sampled_from(["today", "referral"]))}
    if lo is not None:
        params["min"] = lo
    if hi is not None:
        params["max"] = hi
    return Rule(Kind.AGE_RANGE, params)


def _listed(key: str, values) -> st.SearchStrategy[dict]:
    return st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=3, unique=True).map(lambda v: {key: v})


AREAS = ["Lambeth", "Southwark", "Croydon", "SE11", "CR0", "E1"]
rules = st.one_of(
    age_rules(),
    _listed("genders", GENDER_WORDS).map(lambda p: Rule(Kind.GENDER, p)),
    _listed("areas", AREAS).map(lambda p: Rule(Kind.HOME_AREA, p)),
    _listed("programmes", PROGRAMME_WORDS).map(lambda p: Rule(Kind.PROGRAMME, p)),
    _listed("sources", REFERRAL_SOURCE_WORDS).map(lambda p: Rule(Kind.REFERRAL_SOURCE, p)),
    st.booleans().map(lambda b: Rule(Kind.CUSTODY_STATUS, {"in_custody": b})),
    st.integers(1, 120).map(lambda m: Rule(Kind.CUSTODY_STATUS, {"released_within_months": m})),
)
facts = st.builds(
    Facts,
    as_at=dates,
    date_of_birth=maybe_dates,
    gender=st.sampled_from(["", "not_said", *GENDER_WORDS]),
    home_area=st.sampled_from(["", "Lambeth", "lambeth", "Croydon", "Hackney"]),
    postcode=st.sampled_from(["", "SE11 5AB", "CR0 1AA", "E1 6AN", "N1 9GU"]),
    programme=st.sampled_from(["", *PROGRAMME_WORDS]),
    referred_on=maybe_dates,
    referral_source=st.sampled_from(["", *REFERRAL_SOURCE_WORDS]),
    in_custody=st.none() | st.booleans(),
    released_on=maybe_dates,
)


def _reference_age(born: dt.date, on: dt.date) -> int:
    """Birthdays passed, counted one by one (29 February birthdays fall on 1 March)."""
    age = -1
    year = born.year
    while True:
        try:
            birthday = born.replace(year=year)
        except ValueError:
            birthday = dt.date(year, 3, 1)
        if birthday > on:
            return age
        age += 1
        year += 1


@given(born=dates, on=dates, lo=ages, hi=ages, at_referral=st.booleans())
def test_age_rule_is_eligible_exactly_within_its_bounds(born, on, lo, hi, at_referral):
    lo, hi = min(lo, hi), max(lo, hi)
    rule = Rule(Kind.AGE_RANGE, {"min": lo, "max": hi, "at": "referral" if at_referral else "today"})
    fact = (
        Facts(as_at=on, date_of_birth=born)
        if not at_referral
        else Facts(as_at=TODAY, date_of_birth=born, referred_on=on)
    )
    if on < born:
        assert evaluate([rule], fact).reasons[0].endswith("check it.")
        return
    age = _reference_age(born, on)
    assert age_on(born, on) == age
    assert evaluate([rule], fact).eligible == (lo <= age <= hi)


@given(fact=facts)
def test_a_stream_with_no_rules_is_open_to_anyone(fact):
    assert evaluate([], fact) == evaluate([], fact)
    assert evaluate([], fact).eligible
    assert evaluate([], fact).reasons == []


@given(stream_rules=st.lists(rules, max_size=6), extra=rules, fact=facts)
def test_adding_a_rule_never_makes_anyone_eligible(stream_rules, extra, fact):
    before = evaluate(stream_rules, fact)
    after = evaluate([*stream_rules, extra], fact)
    if not before.eligible:
        assert not after.eligible
    assert set(before.reasons) <= set(after.reasons)


@given(stream_rules=st.lists(rules, max_size=6), fact=facts)
def test_every_no_has_a_reason_and_every_yes_has_none(stream_rules, fact):
    verdict = evaluate(stream_rules, fact)
    assert verdict.eligible == (not verdict.reasons)
    assert all(isinstance(r, str) and r.endswith(".") for r in verdict.reasons)


@given(stream_rules=st.lists(rules, max_size=6), fact=facts, data=st.data())
def test_the_order_of_rules_makes_no_difference(stream_rules, fact, data):
    shuffled = data.draw(st.permutations(stream_rules))
    assert evaluate(shuffled, fact) == evaluate(stream_rules, fact)


@given(rule=rules, as_at=dates)
def test_unknown_facts_never_count_as_eligible(rule, as_at):
    assert not evaluate([rule], Facts(as_at=as_at)).eligible


@given(rule=rules)
def test_generated_rules_are_valid(rule):
    assert parameter_problems(rule.kind, rule.parameters) == []
    assert rule.kind in KIND_ORDER
