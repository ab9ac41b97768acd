"""Editing the disclosure scanner's lists: the safeguarding lead adds, switches off and on, or removes a phrase,
pattern or negation cue. The lists name nobody, so their audit events carry no client."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.versioning import refuse_stale, save_if_unchanged
from keyworker.safeguarding.models import ScannerPhrase
from keyworker.safeguarding.scanner import entry_problem

__all__ = ["scanner_phrase_add", "scanner_phrase_remove", "scanner_phrase_set_enabled"]

_NOT_ALLOWED = "Only the safeguarding lead can change the scanner's lists."


def _detail(entry: ScannerPhrase) -> dict[str, object]:
    return {
        "category": entry.category,
        "phrase": entry.phrase,
        "is_pattern": entry.is_pattern,
        "enabled": entry.enabled,
    }


@transaction.atomic
def scanner_phrase_add(*, actor: User, category: str, phrase: str, is_pattern: bool = False) -> ScannerPhrase:
    """A new phrase (whole words, any case) or regular expression for a category, or a negation cue."""
    if not policy.can_edit_scanner(actor):
        raise NotAllowed(_NOT_ALLOWED)
    phrase = phrase.strip()
    if problems := entry_problem(category, phrase, is_pattern):
        raise ValidationFailed("There is a problem with this phrase.", problems)
    if ScannerPhrase.objects.filter(category=category, phrase=phrase).exists():
        raise ValidationFailed(
            "There is a problem with this phrase.",
            {"phrase": ["This phrase is already in the list for this category."]},
        )
    try:
        with transaction.atomic():
            entry = ScannerPhrase.objects.create(
                category=category, phrase=phrase, is_pattern=is_pattern, enabled=True, changed_by=actor
            )
    except IntegrityError as exc:  # added by someone else a moment ago
        raise ValidationFailed(
            "There is a problem with this phrase.",
            {"phrase": ["This phrase is already in the list for this category."]},
        ) from exc
    audit_event_record(actor=actor, action=AuditAction.CREATE, obj=entry, client_id=None, detail=_detail(entry))
    return entry


@transaction.atomic
def scanner_phrase_set_enabled(
    *, actor: User, entry: ScannerPhrase, enabled: bool, expected_version: int
) -> ScannerPhrase:
    """Switch an entry off (kept, so the change can be undone and is on the record) or back on."""
    if not policy.can_edit_scanner(actor):
        raise NotAllowed(_NOT_ALLOWED)
    entry.enabled = enabled
    entry.changed_by = actor
    save_if_unchanged(entry, expected_version=expected_version, fields=["enabled", "changed_by"])
    audit_event_record(actor=actor, action=AuditAction.UPDATE, obj=entry, client_id=None, detail=_detail(entry))
    return entry


@transaction.atomic
def scanner_phrase_remove(*, actor: User, entry: ScannerPhrase, expected_version: int) -> None:
    """Remove an entry for good (a mistyped one); the audit event keeps what it was."""
    if not policy.can_edit_scanner(actor):
        raise NotAllowed(_NOT_ALLOWED)
    detail = _detail(entry) | {"removed": True}
    deleted, _ = ScannerPhrase.objects.filter(pk=entry.pk, version=expected_version).delete()
    if deleted != 1:
        raise refuse_stale(entry)  # changed meanwhile: theirs shown (or nothing, if it was removed)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type=ScannerPhrase._meta.label_lower,
        object_id=str(entry.pk),
        client_id=None,
        detail=detail,
    )
