"""Reading the disclosure scanner's lists: the rules in force (for anyone who may scan a note) and the whole list
with disabled entries (the safeguarding lead's page). The lists hold no personal data."""

from __future__ import annotations

import functools
import uuid

from django.db.models import QuerySet

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.safeguarding.models import ScannerPhrase
from keyworker.safeguarding.scanner import ScannerRules

__all__ = ["scanner_phrase_get_for", "scanner_phrases_for", "scanner_rules"]


def scanner_rules() -> ScannerRules:
    """The enabled phrases, patterns and negation cues, read in one query on every call (so the lead's edits
    count at once) but compiled once per version of the lists: compiling 500 expressions took about 40 ms, on
    every keystroke's scan."""
    rows = ScannerPhrase.objects.filter(enabled=True).order_by("category", "phrase", "is_pattern")
    return _compiled(tuple(rows.values_list("category", "phrase", "is_pattern")))


@functools.lru_cache(maxsize=4)
def _compiled(rows: tuple[tuple[str, str, bool], ...]) -> ScannerRules:
    return ScannerRules(rows)


def scanner_phrases_for(user: User) -> QuerySet[ScannerPhrase]:
    """Every entry, enabled or not, by category: the safeguarding lead only."""
    if not policy.can_edit_scanner(user):
        raise NotFound()
    return ScannerPhrase.objects.order_by("category", "is_pattern", "phrase")


def scanner_phrase_get_for(user: User, phrase_id: uuid.UUID | str) -> ScannerPhrase:
    if not policy.can_edit_scanner(user):
        raise NotFound()
    return one_or_not_found(ScannerPhrase.objects.all(), pk=phrase_id)
