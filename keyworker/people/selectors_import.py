"""Reading spreadsheet imports: the import itself, and its preview (rows, problems, possible duplicates)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.core import policy
from keyworker.core.errors import NotFound, one_or_not_found
from keyworker.intake.rules import PersonKey, is_possible_duplicate
from keyworker.people.importing import ImportFileError, ImportRow, Keyworker, Parsed, RowError, parse_clients_csv
from keyworker.people.models import Client, ClientImport, ClientImportStatus

__all__ = [
    "Duplicate",
    "Preview",
    "client_import_get_for",
    "client_import_list_for",
    "client_import_preview",
    "import_keyworkers_for",
]


@dataclass
class Duplicate:
    """A row that may be someone already known: the matches the viewer may see by name, the others only counted
    (as the referral duplicate check does: a match in another team is never named)."""

    row: ImportRow
    visible: list[Client]
    hidden: bool


@dataclass
class Preview:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    file_error: str = ""


def client_import_get_for(user: User, import_id: uuid.UUID | str) -> ClientImport:
    if not policy.can_import_clients(user):
        raise NotFound()
    return one_or_not_found(policy.client_imports_visible_to(user), pk=import_id)


def client_import_list_for(user: User, *, limit: int = 10) -> list[ClientImport]:
    if not policy.can_import_clients(user):
        raise NotFound()
    return list(policy.client_imports_visible_to(user).select_related("uploaded_by").defer("csv_text")[:limit])


def import_keyworkers_for(user: User) -> dict[str, Keyworker]:
    """Who in the importer's team a case may be allocated to, by lower-case e-mail (one query)."""
    members = policy.team_members_of(user).filter(role__in=policy.CASEWORK_ROLES)
    return {m.email.casefold(): Keyworker(id=m.pk, name=m.display_name) for m in members}


def _key(first: str, last: str, preferred: str, born: object) -> PersonKey:
    return PersonKey(first_name=first, last_name=last, preferred_name=preferred, date_of_birth=born)  # type: ignore[arg-type]


def possible_duplicates(rows: list[ImportRow]) -> dict[int, list[Client]]:
    """Existing clients (across all teams) who may be the person on each row, by row number: one query for the
    candidates (same date of birth, or day and month swapped, or the same surname), then the intake rule."""
    if not rows:
        return {}
    dates = set()
    surnames = set()
    for row in rows:
        born = row.client["date_of_birth"]
        if born is not None:
            dates.add(born)
            if born.day <= 12:
                dates.add(born.replace(month=born.day, day=born.month))
        surnames.add(row.client["last_name"].casefold())
    candidates: list[Client] = list(
        Client.objects.annotate(last_lower=Lower("last_name"))
        .filter(Q(date_of_birth__in=dates) | Q(last_lower__in=surnames))
        .only("id", "first_name", "last_name", "preferred_name", "date_of_birth")
    )
    # Compare each row only with the candidates that share its date of birth (or its swap) or its surname:
    # the same pairs the query chose, without comparing every row with every candidate.
    by_date: dict[object, list[Client]] = {}
    by_surname: dict[str, list[Client]] = {}
    for c in candidates:
        if c.date_of_birth is not None:
            by_date.setdefault(c.date_of_birth, []).append(c)
        by_surname.setdefault(c.last_name.casefold(), []).append(c)
    found: dict[int, list[Client]] = {}
    for row in rows:
        born = row.client["date_of_birth"]
        near: dict[object, Client] = {c.pk: c for c in by_surname.get(row.client["last_name"].casefold(), [])}
        if born is not None:
            swapped = born.replace(month=born.day, day=born.month) if born.day <= 12 else born
            for c in (*by_date.get(born, []), *by_date.get(swapped, [])):
                near[c.pk] = c
        key = _key(
            row.client["first_name"], row.client["last_name"], row.client["preferred_name"], row.client["date_of_birth"]
        )
        matches = sorted(
            (
                c
                for c in near.values()
                if is_possible_duplicate(key, _key(c.first_name, c.last_name, c.preferred_name, c.date_of_birth))
            ),
            key=lambda c: (c.last_name, c.first_name),
        )
        if matches:
            found[row.line] = matches
    return found


def client_import_preview(user: User, client_import: ClientImport) -> Preview:
    """What confirming would import, worked out afresh from the kept text (a keyworker who left the team
    since the upload is a problem now)."""
    if client_import.status != ClientImportStatus.PREVIEWED:
        return Preview()
    try:
        parsed: Parsed = parse_clients_csv(
            client_import.csv_text, keyworkers=import_keyworkers_for(user), today=timezone.localdate()
        )
    except ImportFileError as exc:
        return Preview(file_error=exc.message)
    preview = Preview(rows=parsed.rows, errors=parsed.errors)
    matches = possible_duplicates(parsed.rows)
    if matches:
        all_ids = {c.pk for found in matches.values() for c in found}
        visible_ids = set(policy.clients_visible_to(user).filter(pk__in=all_ids).values_list("pk", flat=True))
        for row in parsed.rows:
            if row.line in matches:
                visible = [c for c in matches[row.line] if c.pk in visible_ids]
                preview.duplicates.append(Duplicate(row, visible, len(visible) < len(matches[row.line])))
    return preview
