"""sharing_permitted: a plain function, tested without a database, with examples and properties."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keyworker.intake.models import AgencyKind, LawfulBasis, Schedule1Condition
from keyworker.intake.rules import ConsentFact, in_force, sharing_permitted

DAY = dt.date(2026, 11, 27)
KINDS = list(AgencyKind.values)


def fact(basis: str = "consent", kinds: tuple[str, ...] = ("housing",), **kw: object) -> ConsentFact:
    fields: dict[str, object] = {"given_on": DAY - dt.timedelta(days=10)}
    fields.update(kw)
    return ConsentFact(basis=basis, agency_kinds=frozenset(kinds), **fields)


def test_consent_in_force_permits_its_kinds_only():
    consents = [fact(kinds=("housing", "health"))]
    assert sharing_permitted(consents, "housing", DAY)[0]
    assert sharing_permitted(consents, "health", DAY)[0]
    permitted, reason = sharing_permitted(consents, "police", DAY)
    assert not permitted and "No consent" in reason


def test_nothing_recorded_permits_nothing():
    assert sharing_permitted([], "housing", DAY) == (False, "No consent or other lawful basis recorded covers this.")


def test_not_before_it_was_given():
    consents = [fact(given_on=DAY + dt.timedelta(days=1))]
    assert not sharing_permitted(consents, "housing", DAY)[0]


def test_withdrawn_consent_does_not_count_from_its_withdrawal():
    consents = [fact(withdrawn_on=DAY)]
    permitted, reason = sharing_permitted(consents, "housing", DAY)
    assert not permitted and "withdrawn on 27 Nov 2026" in reason
    assert sharing_permitted(consents, "housing", DAY - dt.timedelta(days=1))[0]  # it did, before


def test_a_later_fresh_consent_counts_again():
    consents = [fact(withdrawn_on=DAY - dt.timedelta(days=2)), fact(given_on=DAY - dt.timedelta(days=1))]
    assert sharing_permitted(consents, "housing", DAY)[0]


def test_other_basis_needs_its_schedule_1_condition():
    without = [fact(basis=LawfulBasis.PUBLIC_TASK, kinds=("police",))]
    assert not sharing_permitted(without, "police", DAY)[0]
    with_condition = [fact(basis=LawfulBasis.PUBLIC_TASK, kinds=("police",), schedule1_condition="p2_10")]
    permitted, _ = sharing_permitted(with_condition, "police", DAY)
    assert permitted


def test_other_basis_still_covers_after_consent_is_withdrawn():
    consents = [
        fact(kinds=("police",), withdrawn_on=DAY - dt.timedelta(days=1)),
        fact(
            basis=LawfulBasis.LEGITIMATE_INTERESTS, kinds=("police",), schedule1_condition="p2_18", label="Safeguarding"
        ),
    ]
    assert sharing_permitted(consents, "police", DAY) == (True, "Safeguarding covers this.")


def test_consent_is_preferred_as_the_reason():
    consents = [
        fact(
            basis=LawfulBasis.PUBLIC_TASK,
            schedule1_condition="p2_6",
            label="Statutory",
            given_on=DAY - dt.timedelta(days=50),
        ),
        fact(label="Consent"),
    ]
    assert sharing_permitted(consents, "housing", DAY) == (True, "Consent covers this.")


# ------------------------------------------------------------------------------------------- properties

dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))


@st.composite
def facts(draw: st.DrawFn) -> ConsentFact:
    given_on = draw(dates)
    withdrawn = draw(st.none() | st.integers(min_value=0, max_value=800))
    basis = draw(st.sampled_from(LawfulBasis.values))
    return ConsentFact(
        basis=basis,
        agency_kinds=frozenset(draw(st.sets(st.sampled_from(KINDS), max_size=4))),
        given_on=given_on,
        schedule1_condition=draw(st.sampled_from(["", *Schedule1Condition.values])),
        withdrawn_on=None if withdrawn is None else given_on + dt.timedelta(days=withdrawn),
        label=draw(st.sampled_from(["", "A", "B"])),
    )


@given(st.lists(facts(), max_size=6), st.sampled_from(KINDS), dates)
def test_withdrawal_always_wins_for_that_kind(consents: list[ConsentFact], kind: str, on_date: dt.date):
    """Withdraw every consent covering `kind` (on or before the date): sharing with that kind is permitted
    only by an in-force non-consent basis with its Schedule 1 condition, never by consent."""
    withdrawn = [
        dataclasses.replace(f, withdrawn_on=min(f.withdrawn_on or on_date, on_date))
        if f.basis == "consent" and kind in f.agency_kinds and f.given_on <= on_date
        else f
        for f in consents
    ]
    permitted, _ = sharing_permitted(withdrawn, kind, on_date)
    other_basis = any(
        f.basis != "consent" and f.schedule1_condition and kind in f.agency_kinds and in_force(f, on_date)
        for f in withdrawn
    )
    assert permitted == other_basis


@given(st.lists(facts(), max_size=6), st.sampled_from(KINDS), dates, st.integers(min_value=0, max_value=800))
def test_withdrawing_never_turns_a_no_into_a_yes(consents: list[ConsentFact], kind: str, on_date: dt.date, after: int):
    before, _ = sharing_permitted(consents, kind, on_date)
    for i, f in enumerate(consents):
        if f.withdrawn_on is None:
            changed = [
                *consents[:i],
                dataclasses.replace(f, withdrawn_on=f.given_on + dt.timedelta(days=after)),
                *consents[i + 1 :],
            ]
            assert sharing_permitted(changed, kind, on_date)[0] <= before


@given(st.lists(facts(), max_size=6), st.sampled_from(KINDS), dates, facts(), st.data())
def test_an_unrelated_kind_never_changes_the_answer(
    consents: list[ConsentFact], kind: str, on_date: dt.date, extra: ConsentFact, data: st.DataObject
):
    answer = sharing_permitted(consents, kind, on_date)
    unrelated = dataclasses.replace(extra, agency_kinds=extra.agency_kinds - {kind})
    assert sharing_permitted([*consents, unrelated], kind, on_date) == answer
    assert sharing_permitted([unrelated, *consents], kind, on_date) == answer
    others = [k for k in KINDS if k != kind]
    if consents:
        i = data.draw(st.integers(min_value=0, max_value=len(consents) - 1))
        widened = dataclasses.replace(
            consents[i], agency_kinds=consents[i].agency_kinds | {data.draw(st.sampled_from(others))}
        )
        assert sharing_permitted([*consents[:i], widened, *consents[i + 1 :]], kind, on_date) == answer
