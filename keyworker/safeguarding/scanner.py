"""The disclosure scanner: points out possible disclosures in a case note (docs/decisions/0026).

Pure functions, no database: rules are built from (category, phrase, is_pattern) entries, which come from the
safeguarding lead's lists (selectors/scanner.py) or from the defaults (scanner_defaults.py). Every finding names
the exact text that triggered it, so a person can see why and decide; the scanner only suggests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

SCANNER_CATEGORIES = (
    "domestic_abuse",
    "substance_misuse",
    "violence",
    "exploitation",
    "self_harm",
    "threat",
    "weapons",
    "child_concern",
)
NEGATION = "negation"
RULE_CATEGORIES = (*SCANNER_CATEGORIES, NEGATION)

CATEGORY_LABELS = {
    "domestic_abuse": "Domestic abuse",
    "substance_misuse": "Drug or alcohol use",
    "violence": "Violence",
    "exploitation": "Exploitation or county lines",
    "self_harm": "Self-harm or suicide",
    "threat": "Threat to life or retaliation",
    "weapons": "Weapons",
    "child_concern": "A child at risk",
    NEGATION: "Negation (cancels a match after it)",
}

# The concern category offered by "Record a concern" (safeguarding.models.ConcernCategory values).
CONCERN_CATEGORY_FOR = {
    "domestic_abuse": "domestic_abuse",
    "exploitation": "cce",
    "self_harm": "self_harm",
    "threat": "threat_to_life",
    "weapons": "weapons",
    "child_concern": "child_at_risk",
    "violence": "other",
    "substance_misuse": "other",
}

# A negation cue reaches at most this many words forward (so "not" early in a long clause does not hide a
# disclosure at its end); a negated match carries the negation on through a list ("denies heroin, crack or
# cocaine").
NEGATION_REACH_WORDS = 5
MAX_PHRASE_CHARS = 200
_WORD = re.compile(r"\w+")
# Where a clause ends: a sentence end, a semicolon or colon, a line break, or a turn such as "but".
_CLAUSE_END = re.compile(
    r"[.!?;:](?=\s|$)|\n|\b(?:but|however|although|though|except|whereas|yet|apart from)\b",
    re.IGNORECASE,
)
_APOSTROPHES = "'\u2019\u2018`"


@dataclass(frozen=True)
class Finding:
    """One possible disclosure: its category, the exact text of the note that matched, and where."""

    category: str
    phrase: str
    start: int
    end: int

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self.category]

    @property
    def concern_category(self) -> str:
        return CONCERN_CATEGORY_FOR[self.category]

    def as_dict(self) -> dict[str, object]:
        return {"category": self.category, "phrase": self.phrase, "start": self.start, "end": self.end}


@dataclass(frozen=True)
class RuleEntry:
    category: str
    phrase: str
    is_pattern: bool = False


def phrase_regex(phrase: str) -> str:
    """A plain phrase as a regular expression: whole words, any case, any run of spaces or a hyphen between
    words, any kind of apostrophe."""
    words = phrase.strip().split()
    parts = []
    for word in words:
        escaped = "".join(f"[{re.escape(_APOSTROPHES)}]" if ch in _APOSTROPHES else re.escape(ch) for ch in word)
        parts.append(escaped)
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


def compile_entry(phrase: str, is_pattern: bool) -> re.Pattern[str]:
    """The compiled rule; raises re.error for a pattern that is not a valid regular expression."""
    return re.compile(phrase if is_pattern else phrase_regex(phrase), re.IGNORECASE)


def entry_problem(category: str, phrase: str, is_pattern: bool) -> dict[str, list[str]]:
    """What is wrong with a proposed entry, per field (empty when it is fine)."""
    problems: dict[str, list[str]] = {}
    if category not in RULE_CATEGORIES:
        problems["category"] = ["Choose a category."]
    text = phrase.strip()
    if not text:
        problems["phrase"] = ["Enter a phrase or a pattern."]
    elif len(text) > MAX_PHRASE_CHARS:
        problems["phrase"] = [f"Keep it to {MAX_PHRASE_CHARS} characters."]
    elif is_pattern:
        try:
            compiled = compile_entry(text, True)
        except re.error as exc:
            problems["phrase"] = [f"This is not a valid regular expression ({exc.msg})."]
        else:
            if compiled.search(""):
                problems["phrase"] = ["This pattern matches empty text, so it would match every note."]
    elif not _WORD.search(text):
        problems["phrase"] = ["A phrase needs at least one word."]
    return problems


class ScannerRules:
    """Compiled phrase lists and negation cues. Entries that do not compile are left out (the service refuses
    them, so only hand-made rows could hold one)."""

    def __init__(self, entries: Iterable[RuleEntry | tuple[str, str, bool]]):
        self.rules: list[tuple[str, bool, re.Pattern[str]]] = []
        self.negations: list[re.Pattern[str]] = []
        for raw in entries:
            entry = raw if isinstance(raw, RuleEntry) else RuleEntry(*raw)
            if entry.category not in RULE_CATEGORIES or not entry.phrase.strip():
                continue
            try:
                compiled = compile_entry(entry.phrase.strip(), entry.is_pattern)
            except re.error:
                continue
            if compiled.search(""):
                continue
            if entry.category == NEGATION:
                self.negations.append(compiled)
            else:
                self.rules.append((entry.category, entry.is_pattern, compiled))

    def __len__(self) -> int:
        return len(self.rules) + len(self.negations)


def _clause_ends(text: str) -> list[int]:
    return [m.start() for m in _CLAUSE_END.finditer(text)]


def _words_between(text: str, start: int, end: int) -> int:
    return len(_WORD.findall(text[start:end])) if end > start else 0


def _same_clause(ends: list[int], start: int, end: int) -> bool:
    return not any(start <= position < end for position in ends)


def scan(text: str, rules: ScannerRules) -> list[Finding]:
    """The possible disclosures in `text`, in order. A match is dropped when a negation cue comes before it in
    the same clause, within a few words (or just after another negated match, as in a list)."""
    candidates: list[tuple[bool, Finding]] = []
    for category, is_pattern, compiled in rules.rules:
        for match in compiled.finditer(text):
            if match.end() > match.start():
                candidates.append((is_pattern, Finding(category, match.group(0), match.start(), match.end())))
    if not candidates:
        return []
    cues = sorted(
        (m.start(), m.end()) for negation in rules.negations for m in negation.finditer(text) if m.end() > m.start()
    )
    ends = _clause_ends(text)
    negated_ends: list[int] = []
    live: list[tuple[bool, Finding]] = []
    for is_pattern, finding in sorted(candidates, key=lambda c: (c[1].start, -(c[1].end - c[1].start))):
        if _negated(text, finding, cues, negated_ends, ends):
            negated_ends.append(finding.end)
        else:
            live.append((is_pattern, finding))
    # The same category over the same words once is enough: a plain phrase is kept before a pattern (its words
    # say more plainly why), then the longer ("zombie knife" over "knife"), then the earlier.
    kept: list[Finding] = []
    for _is_pattern, finding in sorted(live, key=lambda c: (c[0], -(c[1].end - c[1].start), c[1].start)):
        if not any(k.category == finding.category and k.start < finding.end and finding.start < k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end, f.category))


# Between two items of a list: "heroin, crack or cocaine", "knives and/or guns".
_LIST_JOIN = re.compile(r"[\s,/&]*(?:(?:and|or|nor|and/or)\s+)?(?:any\s+|other\s+)?", re.IGNORECASE)


def _negated(
    text: str, finding: Finding, cues: list[tuple[int, int]], negated_ends: list[int], ends: list[int]
) -> bool:
    """Negated when a cue starts before it in the same clause within a few words (a cue may run into it: "stopped
    using crack"), or when it is the next item of a list whose previous item was negated."""
    if any(
        cue_start < finding.start
        and _same_clause(ends, cue_start, finding.start)
        and _words_between(text, cue_end, finding.start) <= NEGATION_REACH_WORDS
        for cue_start, cue_end in cues
    ):
        return True
    return any(
        anchor <= finding.start and _LIST_JOIN.fullmatch(text, anchor, finding.start) is not None
        for anchor in negated_ends
    )


def findings_by_category(findings: Iterable[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.category, []).append(finding)
    return grouped


def default_rules() -> ScannerRules:
    from keyworker.safeguarding.scanner_defaults import default_entries

    return ScannerRules(default_entries())
