"""The letter rules: every placeholder is filled or visibly marked, nothing is invented, and the default
character reference is in the form courts expect and gives no opinion on sentence."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from keyworker.outcomes.letter_default import DEFAULT_CHARACTER_REFERENCE
from keyworker.outcomes.rules.letters import (
    PLACEHOLDERS,
    ContactFact,
    CourseFact,
    HearingFact,
    LetterFacts,
    MentoringFact,
    MilestoneFact,
    fill_template,
    letter_facts,
    placeholder_values,
    placeholders_in,
)

TODAY = dt.date(2026, 11, 27)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2027, 12, 31))
words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=0, max_size=30)
names = st.from_regex(r"[a-z_]{1,16}", fullmatch=True)
contact_kinds = st.sampled_from(
    [("office", "Office meeting"), ("phone", "Phone call"), ("home_visit", "Home visit"), ("text", "Text message")]
)


@st.composite
def facts(draw: st.DrawFn) -> LetterFacts:
    hearing = draw(
        st.none()
        | st.builds(
            HearingFact,
            court=words,
            court_kind=st.sampled_from(["crown", "magistrates", "youth"]),
            starts_on=days,
            charges=st.lists(words, max_size=3).map(tuple),
        )
    )
    return letter_facts(
        client_name=draw(words),
        writer_name=draw(words),
        writer_role=draw(words),
        organisation=draw(words),
        today=TODAY,
        cases_opened_on=draw(st.lists(days, max_size=3)),
        contacts=[
            ContactFact(kind=k, label=label, on=on)
            for (k, label), on in draw(st.lists(st.tuples(contact_kinds, days), max_size=20))
        ],
        courses=draw(st.lists(st.builds(CourseFact, title=words, completed_on=days | st.none(), qualification=words))),
        milestones=draw(
            st.lists(
                st.builds(
                    MilestoneFact,
                    kind=st.sampled_from(["completed_course", "qualification", "work_13", "drug_free"]),
                    label=words,
                    achieved_on=days,
                    detail=words,
                    self_reported=st.booleans(),
                ),
                max_size=6,
            )
        ),
        mentoring=draw(
            st.lists(
                st.builds(MentoringFact, started_on=days, sessions=st.integers(0, 50), mentee_is_younger=st.booleans())
            )
        ),
        hearing=hearing,
    )


def _template(parts: list[str | tuple[str]]) -> str:
    return "".join(p if isinstance(p, str) else "{" + p[0] + "}" for p in parts)


@given(
    parts=st.lists(
        st.from_regex(r"[^{}]{0,20}", fullmatch=True)
        | st.sampled_from(sorted(PLACEHOLDERS)).map(lambda n: (n,))
        | names.map(lambda n: (n,)),
        max_size=12,
    ),
    f=facts(),
)
def test_every_placeholder_is_filled_or_marked(parts: list[str | tuple[str]], f: LetterFacts) -> None:
    body = _template(parts)
    values = placeholder_values(f)
    # Exactly: the text around placeholders is untouched, each placeholder is its fact or a visible mark.
    expected = "".join(p if isinstance(p, str) else (values.get(p[0]) or f"[missing: {p[0]}]") for p in parts)
    assert fill_template(body, f) == expected
    asked = placeholders_in(body)
    unknown = [n for n in asked if n not in PLACEHOLDERS]
    for name in unknown:
        assert f"[missing: {name}]" in fill_template(body, f)


@given(f=facts())
def test_the_default_letter_invents_nothing(f: LetterFacts) -> None:
    filled = fill_template(DEFAULT_CHARACTER_REFERENCE, f)
    values = placeholder_values(f)
    for name in placeholders_in(DEFAULT_CHARACTER_REFERENCE):
        assert (values[name] or f"[missing: {name}]") in filled
    # Numbers in the engagement paragraph are the counts of the facts, not made up.
    if values["engagement"]:
        assert f.contacts_total > 0 and f.engaged_since is not None
    if f.contacts_total == 0:
        assert "[missing: engagement]" in filled
    if not f.courses and not f.qualifications:
        assert "[missing: courses]" in filled
    if f.mentoring_since is None:
        assert "[missing: mentoring]" in filled


@given(f=facts())
def test_facts_come_only_from_what_was_passed_in(f: LetterFacts) -> None:
    assert all(m.achieved_on <= TODAY for m in f.milestones)
    assert all(c.completed_on is None or c.completed_on <= TODAY for c in f.courses)
    assert f.contacts_in_person <= f.contacts_total == sum(n for _, n in f.contacts_by_kind)
    assert len({c.title.casefold() for c in f.courses}) == len(f.courses)  # a course is told once
    assert all(m.kind not in ("completed_course", "qualification") for m in f.milestones)
    if f.mentees == 0:
        assert f.mentoring_sessions == 0


@given(value=st.from_regex(r"\{[a-z_]{1,10}\}", fullmatch=True))
def test_a_fact_holding_braces_is_not_read_as_a_placeholder(value: str) -> None:
    f = letter_facts(client_name=value, writer_name="Jo", writer_role="Caseworker", organisation="Org", today=TODAY)
    assert fill_template("Dear {client_name}.", f) == f"Dear {value}."


def test_engagement_counts_contacts_since_support_began() -> None:
    opened = dt.date(2025, 3, 14)
    contacts = [
        ContactFact("office", "Office meeting", dt.date(2025, 4, 1)),
        ContactFact("office", "Office meeting", dt.date(2025, 5, 1)),
        ContactFact("phone", "Phone call", dt.date(2025, 5, 2)),
        ContactFact("phone", "Phone call", dt.date(2024, 1, 1)),  # before support began: not counted
        ContactFact("home_visit", "Home visit", dt.date(2027, 1, 1)),  # in the future: not counted
    ]
    f = letter_facts(
        client_name="Marcus Bennett",
        writer_name="Jo Caseworker",
        writer_role="Caseworker",
        organisation="Org",
        today=TODAY,
        cases_opened_on=[opened, dt.date(2026, 1, 1)],
        contacts=contacts,
    )
    assert (f.engaged_since, f.contacts_total, f.contacts_in_person) == (opened, 3, 2)
    assert placeholder_values(f)["engagement"] == (
        "Since 14 March 2025 we have been in contact with Marcus Bennett 3 times, twice in person "
        "(2 office meetings and 1 phone call)."
    )


def test_courses_milestones_and_mentoring_are_told_once_with_dates() -> None:
    f = letter_facts(
        client_name="Marcus",
        writer_name="Jo",
        writer_role="Caseworker",
        organisation="Org",
        today=TODAY,
        courses=[CourseFact("Construction skills", dt.date(2026, 2, 20), "CSCS card")],
        milestones=[
            MilestoneFact("completed_course", "Completed a course", dt.date(2026, 2, 20), "construction skills"),
            MilestoneFact("qualification", "Gained a qualification", dt.date(2026, 2, 20), "CSCS card"),
            MilestoneFact("work_13", "In work, sustained 13 weeks", dt.date(2026, 8, 1), "Warehouse operative"),
            MilestoneFact("drug_free", "Drug-free", dt.date(2026, 9, 1), "", self_reported=True),
        ],
        mentoring=[MentoringFact(dt.date(2026, 6, 1), 6, True), MentoringFact(dt.date(2026, 7, 1), 4, True)],
        mentoring_started_on=dt.date(2026, 5, 20),
    )
    values = placeholder_values(f)
    assert values["courses"] == "Marcus has completed Construction skills on 20 February 2026, gaining CSCS card."
    assert values["milestones"] == (
        "We have recorded these steps forward: in work, sustained 13 weeks (Warehouse operative), on 1 August 2026; "
        "drug-free, on 1 September 2026, as told to us."
    )
    assert values["mentoring"] == (
        "Since May 2026, Marcus has been a peer mentor with us, supporting younger people. "
        "We have recorded 10 mentoring sessions."
    )


def test_salutation_and_charges_follow_the_hearing() -> None:
    crown = HearingFact("Inner London Crown Court", "crown", dt.date(2026, 11, 27), ("Robbery", "Burglary"))
    f = letter_facts(client_name="M", writer_name="J", writer_role="C", organisation="O", today=TODAY, hearing=crown)
    values = placeholder_values(f)
    assert values["salutation"] == "Your Honour"
    assert values["charges"] == "robbery and burglary"
    assert values["hearing_date"] == "Friday 27 November 2026"
    mags = HearingFact("Camberwell Green Magistrates' Court", "magistrates", TODAY)
    f = letter_facts(
        client_name="M",
        writer_name="J",
        writer_role="C",
        organisation="O",
        today=TODAY,
        hearing=mags,
        other_charges=["Possession of cannabis"],
    )
    assert placeholder_values(f)["salutation"] == "Dear Sir or Madam"
    assert placeholder_values(f)["charges"] == "possession of cannabis"


SENTENCE_OPINIONS = (
    "sentence",
    "should not be sent to prison",
    "should not go to prison",
    "deserves",
    "leniency",
    "lenient",
    "second chance",
    "custody would",
    "prison would",
    "i ask the court",
    "i urge",
    "i believe he should",
    "i believe she should",
)


def test_the_default_character_reference_is_in_the_form_courts_expect() -> None:
    text = DEFAULT_CHARACTER_REFERENCE.lower()
    for opinion in SENTENCE_OPINIONS:
        assert opinion not in text, opinion
    names = placeholders_in(DEFAULT_CHARACTER_REFERENCE)
    assert set(names) <= set(PLACEHOLDERS)
    # addressed to the court, knows the charges, says who the writer is and the relationship, the facts
    assert DEFAULT_CHARACTER_REFERENCE.startswith("{salutation},")
    assert "charged with {charges}" in DEFAULT_CHARACTER_REFERENCE
    assert "My name is {writer_name}. I am a {writer_role} at {organisation}" in DEFAULT_CHARACTER_REFERENCE
    assert "since {engaged_since}, and {relationship}." in DEFAULT_CHARACTER_REFERENCE
    for fact in ("{engagement}", "{courses}", "{milestones}", "{mentoring}"):
        assert f"\n\n{fact}\n\n" in DEFAULT_CHARACTER_REFERENCE  # a paragraph of its own, easy to delete
