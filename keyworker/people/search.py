"""Finding a client by name or case reference, tolerant of typing slips (docs/decisions/0030-search.md).

Two stages. The database finds a bounded set of candidates among the clients the user may see (the access
policy is part of that query): on PostgreSQL by pg_trgm (substring and trigram similarity on the lower-cased
names, GIN indexes), on SQLite by an FTS5 trigram table kept in step by triggers (migration 0004). Then the
pure rules below score those few candidates by edit distance, so "Jerom Smyth" finds Jerome Smith, every
word must match something, and exact matches come first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

MIN_QUERY = 2
MAX_QUERY = 100
MAX_WORDS = 6
# The database hands back at most this many candidates, best first; the rules rank only those.
CANDIDATES = 200

_WORD = re.compile(r"[^\W_]+(?:['\u2019\-][^\W_]+)*", re.UNICODE)
_PART_SPLIT = re.compile(r"[\s'\u2019\-]+")


def query_problem(query: str) -> str | None:
    """Why a search cannot be run as typed (shown to the user), or None if it can. Empty is not a problem:
    it is no search at all."""
    text = query.strip()
    problem = length_problem(text, shortest=MIN_QUERY, longest=MAX_QUERY)
    if problem or not text:
        return problem
    if not query_words(text):
        return "Enter a name, preferred name or case reference."
    return None


def length_problem(text: str, *, shortest: int, longest: int) -> str | None:
    """The checks every search box makes of its (stripped) text before looking at its words."""
    if not text:
        return None
    if "\x00" in text:
        return "The search contains a character that is not allowed."
    if len(text) > longest:
        return f"Enter no more than {longest} characters."
    if len(text) < shortest:
        return f"Enter at least {shortest} characters."
    return None


def query_words(query: str) -> list[str]:
    """The words of a query, lower-cased, at most MAX_WORDS (hyphens and apostrophes stay inside a word)."""
    return [m.group(0).lower() for m in _WORD.finditer(query[:MAX_QUERY])][:MAX_WORDS]


def allowed_edits(word: str) -> int:
    """Typing slips forgiven in a word: none in a short word (too many names would match), then one, then two."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 7 else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance between a and b, a swap of two neighbouring letters counting as one slip (optimal string
    alignment), or limit + 1 as soon as it must exceed limit (cheap for the small limits used here)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def word_score(word: str, names: Sequence[str]) -> float:
    """How well one query word matches the best of a person's names: 1 exact, 0.9 the start of a name, 0.75
    inside a name, 0.5 or 0.4 within one or two slips of a name; 0 no match."""
    best = 0.0
    limit = allowed_edits(word)
    for name in names:
        name = name.lower()
        if not name:
            continue
        for part in [name, *(p for p in _PART_SPLIT.split(name) if p and p != name)]:
            if part == word:
                return 1.0
            if part.startswith(word):
                best = max(best, 0.9)
            elif len(word) > 1 and word in part:
                best = max(best, 0.75)
            elif limit:
                distance = edit_distance(word, part, limit)
                if distance <= limit:
                    best = max(best, 0.6 - 0.1 * distance)
    return best


def name_score(words: Sequence[str], names: Sequence[str], references: Sequence[str] = ()) -> float:
    """A person's score for the whole query: the mean of its words' scores, or 0 if any word matches nothing
    (every word must match a name or one of the person's case references, exactly)."""
    if not words:
        return 0.0
    refs = {r.lower() for r in references}
    total = 0.0
    for word in words:
        score = 1.0 if word in refs else word_score(word, names)
        if score == 0:
            return 0.0
        total += score
    return total / len(words)


# --- the database's part: candidates ---------------------------------------------------------------------


def _like_escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


NAME_COLUMNS = ("first_name", "last_name", "preferred_name")


def postgres_candidates_sql(words: Sequence[str]) -> tuple[str, list[str], str, list[str]]:
    """(WHERE clause, its params, ORDER BY expression, its params) for PostgreSQL: any word inside a name (LIKE
    on the lower-cased name) or similar to it (pg_trgm's %); both use the GIN trigram indexes."""
    where: list[str] = []
    where_params: list[str] = []
    order: list[str] = []
    order_params: list[str] = []
    for word in words:
        for column in NAME_COLUMNS:
            expression = f'LOWER("people_client"."{column}")'
            where.append(f"{expression} LIKE %s")
            where_params.append(f"%{_like_escape(word)}%")
            where.append(f"{expression} %% %s")
            where_params.append(word)
        order.append(
            "GREATEST("
            + ", ".join(f'similarity(LOWER("people_client"."{column}"), %s)' for column in NAME_COLUMNS)
            + ")"
        )
        order_params.extend([word] * len(NAME_COLUMNS))
    return "(" + " OR ".join(where) + ")", where_params, "(" + " + ".join(order) + ")", order_params


def sqlite_match(words: Sequence[str]) -> str:
    """An FTS5 query for the trigram table: any trigram of any word, with a space either side of the word so
    that the start and end of a name count ("smyth" shares " sm" and "th " with "smith")."""
    grams: list[str] = []
    for word in words:
        padded = f" {word} "
        for i in range(len(padded) - 2):
            gram = padded[i : i + 3]
            if gram.strip() and gram not in grams:
                grams.append(gram)
    if not grams:
        return ""
    return "names : (" + " OR ".join('"' + g.replace('"', '""') + '"' for g in grams) + ")"
