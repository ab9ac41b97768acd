"""Intake rules as plain functions (no database, no HTTP): the referral lifecycle, time to first contact,
and whether two records may be the same person."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

# --- lifecycle -------------------------------------------------------------------------------------------

OPEN_STATUSES = frozenset({"received", "contact_attempted", "assessed", "waiting_list"})
FINAL_STATUSES = frozenset({"accepted", "declined", "withdrawn"})
NEEDS_REASON = frozenset({"declined", "withdrawn"})

_TRANSITIONS: dict[str, frozenset[str]] = {
    "received": frozenset({"contact_attempted", "assessed", "accepted", "waiting_list", "declined", "withdrawn"}),
    # Another attempt at contact is a step of its own (the status stays "contact attempted").
    "contact_attempted": frozenset(
        {"contact_attempted", "assessed", "accepted", "waiting_list", "declined", "withdrawn"}
    ),
    "assessed": frozenset({"accepted", "waiting_list", "declined", "withdrawn"}),
    "waiting_list": frozenset({"assessed", "accepted", "declined", "withdrawn"}),
    "accepted": frozenset(),
    "declined": frozenset(),
    "withdrawn": frozenset(),
}


def referral_transition_allowed(current: str, new: str) -> bool:
    """Whether a referral in `current` may move to `new`. Accepted, declined and withdrawn are final: a
    person referred again is a new referral."""
    return new in _TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> frozenset[str]:
    return _TRANSITIONS.get(current, frozenset())


def hours_to_first_contact(received_at: dt.datetime, first_contact_at: dt.datetime | None) -> float | None:
    """Hours from the referral arriving to the first attempt to contact the person (None: not yet)."""
    if first_contact_at is None:
        return None
    if first_contact_at < received_at:
        raise ValueError("First contact cannot be before the referral was received.")
    return (first_contact_at - received_at).total_seconds() / 3600


# --- possible duplicates ---------------------------------------------------------------------------------

NAME_THRESHOLD = 0.8  # "Jon"/"John" 0.86, "Smith"/"Smyth" 0.8; "Jon"/"Jane" 0.57


@dataclass(frozen=True)
class PersonKey:
    """What duplicate detection compares: names and date of birth, nothing else."""

    first_name: str
    last_name: str = ""
    preferred_name: str = ""
    date_of_birth: dt.date | None = None


def normalise_name(name: str) -> str:
    """Lower case, accents and everything but letters dropped ("Mary-Jane O'Neil" -> "maryjaneoneil")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(r"[^a-z]", "", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def name_ratio(a: str, b: str) -> float:
    """Similarity of two normalised names, 0 to 1, the same whichever way round (the pair is ordered first,
    because SequenceMatcher is not symmetric on every input). A name that starts another of at least three
    letters ("Chris", "Christopher") counts as similar."""
    x, y = sorted((a, b))
    ratio = SequenceMatcher(None, x, y, autojunk=False).ratio()
    shorter, longer = sorted((x, y), key=len)
    if len(shorter) >= 3 and longer.startswith(shorter):
        ratio = max(ratio, 0.9)
    return ratio


def _first_names(person: PersonKey) -> set[str]:
    names = {normalise_name(person.first_name)}
    if normalise_name(person.preferred_name):
        names.add(normalise_name(person.preferred_name))
    return names


def dates_of_birth_match(a: dt.date, b: dt.date) -> bool:
    """The same date, or the same with day and month swapped (12/03 typed as 03/12)."""
    return a == b or (a.year == b.year and a.day == b.month and a.month == b.day)


def _exact_name_match(a: PersonKey, b: PersonKey) -> bool:
    same_last = normalise_name(a.last_name) == normalise_name(b.last_name)
    return same_last and bool(_first_names(a) & _first_names(b))


def duplicate_score(a: PersonKey, b: PersonKey) -> float:
    """How alike two records are, 0 to 1 (symmetric).

    With both dates of birth known: 0 unless they match (or match with day and month swapped), otherwise the
    weaker of the best first-name similarity (preferred names considered) and the surname similarity (a
    surname missing on either side does not count against). With a date of birth missing on either side,
    only an exact name match (after normalising) counts: 1, else 0."""
    if a.date_of_birth is None or b.date_of_birth is None:
        return 1.0 if _exact_name_match(a, b) else 0.0
    if not dates_of_birth_match(a.date_of_birth, b.date_of_birth):
        return 0.0
    first = max(name_ratio(x, y) for x in _first_names(a) for y in _first_names(b))
    last_a, last_b = normalise_name(a.last_name), normalise_name(b.last_name)
    last = name_ratio(last_a, last_b) if last_a and last_b else 1.0
    return min(first, last)


def is_possible_duplicate(a: PersonKey, b: PersonKey) -> bool:
    return duplicate_score(a, b) >= NAME_THRESHOLD


# --- consent and lawful basis ------------------------------------------------------------------------------

CONSENT = "consent"


@dataclass(frozen=True)
class ConsentFact:
    """What sharing_permitted needs of a consent record (intake.models.ConsentRecord), nothing else."""

    basis: str  # a LawfulBasis value
    agency_kinds: frozenset[str]
    given_on: dt.date
    schedule1_condition: str = ""
    withdrawn_on: dt.date | None = None
    label: str = ""  # how the reason names the record, e.g. "Consent given verbally on 3 Nov 2026"


def in_force(fact: ConsentFact, on_date: dt.date) -> bool:
    """Given on or before the date, and not withdrawn (or ended) on or before it."""
    return fact.given_on <= on_date and (fact.withdrawn_on is None or on_date < fact.withdrawn_on)


def _counts(fact: ConsentFact) -> bool:
    """A consent counts by itself; any other basis only with its DPA 2018 Schedule 1 condition."""
    return fact.basis == CONSENT or bool(fact.schedule1_condition)


def _describe(fact: ConsentFact) -> str:
    return fact.label or f"{fact.basis.replace('_', ' ').capitalize()} from {fact.given_on:%-d %b %Y}"


def sharing_permitted(consents: Iterable[ConsentFact], agency_kind: str, on_date: dt.date) -> tuple[bool, str]:
    """Whether information may be shared with an agency of `agency_kind` on `on_date`, and why, in words.

    Permitted if a consent in force on that date covers the kind, or a recorded non-consent lawful basis
    with its Schedule 1 condition, in force on that date, covers it. A withdrawn consent never counts from
    its withdrawal date on (nor does an ended basis). Only records covering `agency_kind` are looked at,
    so records about other kinds never change the answer. Consent is preferred as the reason, then the
    earliest record."""
    covering = [fact for fact in consents if agency_kind in fact.agency_kinds]
    usable = sorted(
        (fact for fact in covering if _counts(fact) and in_force(fact, on_date)),
        key=lambda fact: (fact.basis != CONSENT, fact.given_on, fact.basis, fact.schedule1_condition),
    )
    if usable:
        return True, f"{_describe(usable[0])} covers this."
    withdrawn = sorted(
        (f for f in covering if f.basis == CONSENT and f.withdrawn_on is not None and f.withdrawn_on <= on_date),
        key=lambda fact: fact.withdrawn_on or on_date,
    )
    if withdrawn:
        return False, f"Consent was withdrawn on {withdrawn[-1].withdrawn_on:%-d %b %Y}; nothing else covers this."
    return False, "No consent or other lawful basis recorded covers this."
