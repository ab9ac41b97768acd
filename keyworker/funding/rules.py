"""Eligibility for funding streams, as plain functions (no database, no HTTP).

A stream's rules are data (kind + parameters, edited by managers). `evaluate()` checks every rule against
a frozen set of facts about the person and the case, and explains each failing rule in a sentence.
Unknown facts never count as eligible: a rule whose fact is not recorded fails, saying so.
Eligibility is the conjunction of the rules: a stream with no rules is open to anyone, and adding a rule
can only take eligibility away (never give it).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


class Kind:
    """The kinds of rule (the model's RuleKind TextChoices use the same values)."""

    AGE_RANGE = "age_range"
    GENDER = "gender"
    HOME_AREA = "home_area"
    PROGRAMME = "programme"
    CUSTODY_STATUS = "custody_status"
    REFERRAL_SOURCE = "referral_source"


KIND_ORDER = (
    Kind.AGE_RANGE,
    Kind.GENDER,
    Kind.HOME_AREA,
    Kind.PROGRAMME,
    Kind.CUSTODY_STATUS,
    Kind.REFERRAL_SOURCE,
)

# Who a gender rule is for, in words ("this stream is for women and girls").
GENDER_WORDS = {
    "female": "women and girls",
    "male": "men and boys",
    "non_binary": "non-binary people",
    "self_described": "people who describe their own gender",
}
UNKNOWN_GENDERS = frozenset({"", "not_said"})

PROGRAMME_WORDS = {
    "gang_exit": "Gang exit",
    "resettlement": "Resettlement (through the gate)",
    "young_people": "Young people",
    "women_and_girls": "Women and girls",
    "peer_mentoring": "Peer mentoring",
}

# Where a referral came from (issue 4's intake uses the same values).
REFERRAL_SOURCE_WORDS = {
    "self": "self-referral",
    "family": "family",
    "school": "school",
    "yot": "youth offending team",
    "probation": "probation",
    "prison": "prison",
    "police": "police",
    "hospital": "hospital",
    "charity": "another charity",
    "other": "another source",
}

AGE_AT = {"referral": "at referral", "today": "today"}


@dataclass(frozen=True)
class Facts:
    """What is known about a person and their case on `as_at`. None / "" means not recorded."""

    as_at: dt.date
    date_of_birth: dt.date | None = None
    gender: str = ""
    home_area: str = ""
    postcode: str = ""
    programme: str = ""
    referred_on: dt.date | None = None
    referral_source: str = ""
    in_custody: bool | None = None
    released_on: dt.date | None = None


class RuleLike(Protocol):
    @property
    def kind(self) -> str: ...

    @property
    def parameters(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Rule:
    """A rule as plain data (a stream's EligibilityRule rows satisfy the same protocol)."""

    kind: str
    parameters: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StreamVerdict:
    eligible: bool
    reasons: list[str]


# ------------------------------------------------------------------------------------------ dates


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Whole years from date of birth to `on` (a 29 February birthday falls on 1 March in other years)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def months_before(on: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (clamped to the month's last day)."""
    index = on.year * 12 + (on.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(on.day, calendar.monthrange(year, month)[1]))


def format_date(value: dt.date) -> str:
    return f"{value.day} {value:%b %Y}"


def postcode_district(postcode: str) -> str:
    """The outward code of a UK postcode ("SE11 5AB" -> "SE11"); "" if there is none."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if not compact:
        return ""
    if " " in (postcode or "").strip():
        return (postcode or "").strip().split()[0].upper()
    return compact[:-3] if len(compact) >= 5 else compact


def _words(values: Iterable[str], names: Mapping[str, str] | None = None) -> str:
    shown = [names.get(v, v) if names else v for v in values]
    return ", ".join(shown)


# ------------------------------------------------------------------------------------- validation


def parameter_problems(kind: str, parameters: Any) -> list[str]:
    """What is wrong with a rule's parameters, in words ([] when they are valid)."""
    if kind not in KIND_ORDER:
        return ["Choose a kind of rule."]
    if not isinstance(parameters, Mapping):
        return ["The rule's settings must be a set of named values."]
    p = parameters
    if kind == Kind.AGE_RANGE:
        problems = []
        unknown = set(p) - {"min", "max", "at"}
        if unknown:
            problems.append(f"Unknown settings: {', '.join(sorted(unknown))}.")
        lo, hi = p.get("min"), p.get("max")
        for name, value in (("minimum", lo), ("maximum", hi)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 120):
                problems.append(f"The {name} age must be a whole number from 0 to 120.")
        if lo is None and hi is None:
            problems.append("Give a minimum age, a maximum age or both.")
        elif isinstance(lo, int) and isinstance(hi, int) and lo > hi:
            problems.append("The minimum age cannot be more than the maximum.")
        if p.get("at", "today") not in AGE_AT:
            problems.append("Say whether age counts at referral or today.")
        return problems
    if kind == Kind.CUSTODY_STATUS:
        keys = set(p) & {"in_custody", "released_within_months"}
        if len(keys) != 1 or set(p) - keys:
            return ["Choose either 'in custody' or 'released within N months'."]
        if "in_custody" in p and not isinstance(p["in_custody"], bool):
            return ["'In custody' must be yes or no."]
        months = p.get("released_within_months")
        if "released_within_months" in p and (
            isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 120
        ):
            return ["Released within must be a whole number of months from 1 to 120."]
        return []
    key, allowed = {
        Kind.GENDER: ("genders", GENDER_WORDS),
        Kind.HOME_AREA: ("areas", None),
        Kind.PROGRAMME: ("programmes", PROGRAMME_WORDS),
        Kind.REFERRAL_SOURCE: ("sources", REFERRAL_SOURCE_WORDS),
    }[kind]
    values = p.get(key)
    if set(p) != {key} or not isinstance(values, list) or not values:
        return [f"List at least one value under '{key}'."]
    if not all(isinstance(v, str) and v.strip() for v in values):
        return ["Each value must be some text."]
    if allowed is not None and (bad := [v for v in values if v not in allowed]):
        return [f"Not a known value: {', '.join(bad)}."]
    return []


# --------------------------------------------------------------------------------------- checking


def _age_span(lo: int | None, hi: int | None) -> str:
    if lo is not None and hi is not None:
        return f"{lo}\u2013{hi}"
    return f"{lo} or over" if lo is not None else f"{hi} or under"


def _check_age(p: Mapping[str, Any], facts: Facts) -> str | None:
    lo, hi = p.get("min"), p.get("max")
    span = _age_span(lo, hi)
    if facts.date_of_birth is None:
        return f"Date of birth is not recorded; this stream is for ages {span}."
    at = p.get("at", "today")
    on = facts.as_at if at == "today" else facts.referred_on
    if on is None:
        return f"Referral date is not recorded, so age at referral is unknown; this stream is for ages {span}."
    if on < facts.date_of_birth:
        return f"Date of birth {format_date(facts.date_of_birth)} is after {format_date(on)}; check it."
    age = age_on(facts.date_of_birth, on)
    if (lo is not None and age < lo) or (hi is not None and age > hi):
        return f"Age {age} on {format_date(on)} is outside {span}."
    return None


def _check_gender(p: Mapping[str, Any], facts: Facts) -> str | None:
    genders = p["genders"]
    who = " and ".join(GENDER_WORDS.get(g, g) for g in genders)
    if facts.gender in UNKNOWN_GENDERS:
        return f"Gender is not recorded; this stream is for {who}."
    if facts.gender not in genders:
        return f"This stream is for {who}."
    return None


def _check_area(p: Mapping[str, Any], facts: Facts) -> str | None:
    areas = p["areas"]
    wanted = {a.strip().upper() for a in areas}
    area, district = facts.home_area.strip(), postcode_district(facts.postcode)
    if not area and not district:
        return f"Home area and postcode are not recorded; this stream covers {_words(areas)}."
    if area.upper() in wanted or district in wanted:
        return None
    where = " ".join(part for part in (area, f"({district})" if district else "") if part)
    return f"Home area {where} is not in {_words(areas)}."


def _check_programme(p: Mapping[str, Any], facts: Facts) -> str | None:
    programmes = p["programmes"]
    if not facts.programme:
        return f"Programme is not recorded; this stream funds {_words(programmes, PROGRAMME_WORDS)}."
    if facts.programme not in programmes:
        return (
            f"Programme {PROGRAMME_WORDS.get(facts.programme, facts.programme)} is not one this stream funds "
            f"({_words(programmes, PROGRAMME_WORDS)})."
        )
    return None


def _check_custody(p: Mapping[str, Any], facts: Facts) -> str | None:
    if "in_custody" in p:
        wanted = p["in_custody"]
        who = "people in custody" if wanted else "people in the community (not in custody)"
        if facts.in_custody is None:
            return f"Custody status is not recorded; this stream is for {who}."
        if facts.in_custody != wanted:
            return f"{'Not in custody' if wanted else 'In custody'}; this stream is for {who}."
        return None
    months = p["released_within_months"]
    who = f"people released from custody within the last {months} months"
    if facts.in_custody:
        return f"Still in custody; this stream is for {who}."
    if facts.released_on is None:
        if facts.in_custody is None:
            return f"Custody status is not recorded; this stream is for {who}."
        return f"Release date is not recorded; this stream is for {who}."
    if facts.released_on > facts.as_at:
        return f"Release on {format_date(facts.released_on)} is still to come; this stream is for {who}."
    if facts.released_on < months_before(facts.as_at, months):
        released, on = format_date(facts.released_on), format_date(facts.as_at)
        return f"Released on {released}, more than {months} months before {on}; this stream is for {who}."
    return None


def _check_source(p: Mapping[str, Any], facts: Facts) -> str | None:
    sources = p["sources"]
    if not facts.referral_source:
        return (
            "Referral source is not recorded; this stream takes referrals from "
            f"{_words(sources, REFERRAL_SOURCE_WORDS)}."
        )
    if facts.referral_source not in sources:
        return (
            f"Referred by {REFERRAL_SOURCE_WORDS.get(facts.referral_source, facts.referral_source)}; this stream "
            f"takes referrals from {_words(sources, REFERRAL_SOURCE_WORDS)}."
        )
    return None


CHECKS = {
    Kind.AGE_RANGE: _check_age,
    Kind.GENDER: _check_gender,
    Kind.HOME_AREA: _check_area,
    Kind.PROGRAMME: _check_programme,
    Kind.CUSTODY_STATUS: _check_custody,
    Kind.REFERRAL_SOURCE: _check_source,
}


def check(rule: RuleLike, facts: Facts) -> str | None:
    """None if the facts meet the rule, else why not. A rule with broken settings never passes."""
    problems = parameter_problems(rule.kind, rule.parameters)
    if problems:
        return f"This stream has a rule that cannot be checked ({problems[0]}); ask a manager to fix it."
    return CHECKS[rule.kind](rule.parameters, facts)


def evaluate(stream_rules: Sequence[RuleLike] | Iterable[RuleLike], facts: Facts) -> StreamVerdict:
    """Eligible when every rule is met. The reasons (one per failing rule) come in a fixed order (by kind,
    then text), so the order the rules were added in makes no difference."""
    failures = []
    for rule in stream_rules:
        reason = check(rule, facts)
        if reason is not None:
            rank = KIND_ORDER.index(rule.kind) if rule.kind in KIND_ORDER else len(KIND_ORDER)
            failures.append((rank, reason))
    reasons = [reason for _, reason in sorted(set(failures))]
    return StreamVerdict(eligible=not reasons, reasons=reasons)


def describe(rule: RuleLike) -> str:
    """A rule in words, for the stream's page."""
    p = rule.parameters
    if parameter_problems(rule.kind, p):
        return "A rule with settings that cannot be checked."
    if rule.kind == Kind.AGE_RANGE:
        lo, hi = p.get("min"), p.get("max")
        return f"Aged {_age_span(lo, hi)} {AGE_AT[p.get('at', 'today')]}"
    if rule.kind == Kind.GENDER:
        return "For " + " and ".join(GENDER_WORDS[g] for g in p["genders"])
    if rule.kind == Kind.HOME_AREA:
        return f"Living in {_words(p['areas'])}"
    if rule.kind == Kind.PROGRAMME:
        return f"On the programme: {_words(p['programmes'], PROGRAMME_WORDS)}"
    if rule.kind == Kind.CUSTODY_STATUS:
        if "in_custody" in p:
            return "In custody" if p["in_custody"] else "Not in custody"
        return f"Released from custody within the last {p['released_within_months']} months"
    return f"Referred by {_words(p['sources'], REFERRAL_SOURCE_WORDS)}"
