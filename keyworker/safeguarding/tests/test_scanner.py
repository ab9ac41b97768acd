"""The disclosure scanner as plain functions: matching, negation, offsets, overlaps, rules refused; and the
`keyworker scan-note` command."""

from __future__ import annotations

import importlib
import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from keyworker.safeguarding.models import ConcernCategory, ScannerPhrase
from keyworker.safeguarding.scanner import (
    CATEGORY_LABELS,
    CONCERN_CATEGORY_FOR,
    NEGATION,
    SCANNER_CATEGORIES,
    Finding,
    ScannerRules,
    default_rules,
    entry_problem,
    scan,
)
from keyworker.safeguarding.scanner_defaults import default_entries

RULES = default_rules()


def categories(text: str, rules: ScannerRules = RULES) -> set[str]:
    return {f.category for f in scan(text, rules)}


def test_every_category_has_a_label_and_a_concern_category():
    assert set(CONCERN_CATEGORY_FOR) == set(SCANNER_CATEGORIES)
    assert set(CONCERN_CATEGORY_FOR.values()) <= set(ConcernCategory.values)
    assert set(SCANNER_CATEGORIES) | {NEGATION} == set(CATEGORY_LABELS)


def test_every_default_entry_is_valid_and_compiles():
    entries = list(default_entries())
    for entry in entries:
        assert entry_problem(entry.category, entry.phrase, entry.is_pattern) == {}, entry
    assert len(RULES) == len(entries)
    assert len({(e.category, e.phrase) for e in entries}) == len(entries), "no entry twice (the database says once)"


def test_a_phrase_matches_whole_words_in_any_case():
    rules = ScannerRules([("weapons", "blade", False)])
    assert [f.phrase for f in scan("He had a BLADE on him.", rules)] == ["BLADE"]
    assert scan("He works on rollerblades.", rules) == []
    assert scan("Bladed", rules) == []


def test_spaces_hyphens_and_apostrophes_are_interchangeable():
    rules = ScannerRules([("exploitation", "county lines", False), ("domestic_abuse", "won't let her", False)])
    assert categories("Picked up on a county-lines op", rules) == {"exploitation"}
    assert categories("picked up, county\n lines", rules) == {"exploitation"}
    assert categories("He won\u2019t let her leave", rules) == {"domestic_abuse"}


def test_a_pattern_is_a_regular_expression():
    rules = ScannerRules([("self_harm", r"\bcut(?:s|ting)?\s+(?:him|her)self\b", True)])
    assert [f.phrase for f in scan("She has been cutting herself.", rules)] == ["cutting herself"]


def test_the_finding_names_the_exact_text_and_where_it_is():
    note = "At the visit his girlfriend said he Hit Her last week; the kids were there."
    findings = scan(note, RULES)
    assert findings, note
    for finding in findings:
        assert note[finding.start : finding.end] == finding.phrase
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert {"domestic_abuse", "child_concern"} <= {f.category for f in findings}


@given(st.text(max_size=300))
def test_offsets_always_give_back_the_phrase(note: str):
    for finding in scan(note, RULES):
        assert note[finding.start : finding.end] == finding.phrase
        assert finding.category in SCANNER_CATEGORIES


@pytest.mark.parametrize(
    "note",
    [
        "Denies any drug use.",
        "He denies using heroin, crack or cocaine.",
        "No concerns about the children.",
        "No weapons found in the room search.",
        "He has never carried a knife.",
        "He is no longer using cannabis.",
        "No signs of self-harm.",
        "No evidence of exploitation.",
        "She denied any domestic abuse.",
    ],
)
def test_negation_cancels_what_follows_it(note: str):
    assert scan(note, RULES) == []


def test_negation_stops_at_the_end_of_the_clause():
    assert categories("Denies drug use but admits smoking crack at weekends.") == {"substance_misuse"}
    assert categories("No weapons found. He says he carries a shank.") == {"weapons"}
    assert categories("No concerns about drinking; she has been cutting herself.") == {"self_harm"}


def test_negation_reaches_only_a_few_words():
    rules = ScannerRules([("weapons", "knife", False), (NEGATION, "not", False)])
    assert scan("He is not carrying a knife", rules) == []
    far = "He did not want to talk about it at all and then he showed me a knife"
    assert [f.phrase for f in scan(far, rules)] == ["knife"]


def test_a_cue_before_a_match_counts_and_one_after_does_not():
    rules = ScannerRules([("substance_misuse", "heroin", False), (NEGATION, "denies", False)])
    assert scan("Heroin use: he denies it now", rules) != []


def test_overlapping_matches_of_one_category_are_reported_once():
    rules = ScannerRules(
        [("weapons", "zombie knife", False), ("weapons", "knife", False), ("violence", "knife attack", False)]
    )
    findings = scan("There was a zombie knife attack.", rules)
    assert [(f.category, f.phrase) for f in findings] == [("weapons", "zombie knife"), ("violence", "knife attack")]


def test_the_same_words_may_fall_in_two_categories():
    assert {"violence", "weapons"} <= categories("He was stabbed outside the shop.")


def test_crack_the_drug_but_not_crack_on():
    assert categories("Told him to crack on with the CV.") == set()
    assert categories("He is smoking crack again.") == {"substance_misuse"}


@pytest.mark.parametrize(
    ("category", "phrase", "is_pattern", "field"),
    [
        ("weapons", "(knife", True, "phrase"),
        ("weapons", "", False, "phrase"),
        ("weapons", "a*", True, "phrase"),
        ("weapons", "x" * 201, False, "phrase"),
        ("gangs", "knife", False, "category"),
        ("weapons", "!!!", False, "phrase"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(category: str, phrase: str, is_pattern: bool, field: str):
    problems = entry_problem(category, phrase, is_pattern)
    assert field in problems and problems[field][0]


def test_an_invalid_pattern_in_the_rows_is_left_out_not_fatal():
    rules = ScannerRules([("weapons", "(knife", True), ("weapons", "blade", False)])
    assert [f.phrase for f in scan("a knife and a blade", rules)] == ["blade"]


def test_finding_as_dict_is_the_command_shape():
    assert Finding("weapons", "blade", 3, 8).as_dict() == {
        "category": "weapons",
        "phrase": "blade",
        "start": 3,
        "end": 8,
    }


# ------------------------------------------------------------------------------------------------ the command


def run_scan_note(note: str, *args: str) -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("scan-note", *args, stdin=io.StringIO(note), stdout=out)
    return json.loads(out.getvalue())


def test_scan_note_with_the_defaults_needs_no_database():
    note = "She said he hit her and the kids were there. Denies any drug use."
    result = run_scan_note(note, "--defaults")
    assert {"category": "domestic_abuse", "phrase": "hit her", "start": 12, "end": 19} in result
    assert {r["category"] for r in result} == {"domestic_abuse", "child_concern"}
    for r in result:
        assert note[r["start"] : r["end"]] == r["phrase"]
        assert set(r) == {"category", "phrase", "start", "end"}


@pytest.mark.django_db
def test_scan_note_uses_the_databases_lists():
    importlib.import_module("keyworker.safeguarding.migrations.0005_seed_scanner_phrases").seed(apps, None)
    assert run_scan_note("He keeps a shank in his sock.") == [
        {"category": "weapons", "phrase": "shank", "start": 11, "end": 16}
    ]
    ScannerPhrase.objects.filter(category="weapons").update(enabled=False)
    assert run_scan_note("He keeps a shank in his sock.") == []
    assert run_scan_note("") == []


@pytest.mark.django_db
def test_the_seed_is_idempotent_and_keeps_the_leads_changes():
    seed = importlib.import_module("keyworker.safeguarding.migrations.0005_seed_scanner_phrases").seed
    seed(apps, None)
    count = ScannerPhrase.objects.count()
    assert count == len(list(default_entries()))
    ScannerPhrase.objects.filter(phrase="blade").update(enabled=False)
    seed(apps, None)
    assert ScannerPhrase.objects.count() == count
    assert not ScannerPhrase.objects.get(category="weapons", phrase="blade").enabled
