"""Importing clients from a spreadsheet: upload (checked, kept for preview), confirm (all or nothing), discard.

Confirm creates every client and their open case in one transaction with bulk inserts (a few queries whatever
the number of rows), with case references taken from the same counter as casework.services.case_open and one
audit event per client and per case, as client_create and case_open write them.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from keyworker.accounts.models import User
from keyworker.audit.models import AuditAction
from keyworker.audit.services import audit_event_record, records_created
from keyworker.casework.models import Case, CaseStatus
from keyworker.core import policy
from keyworker.core.errors import NotAllowed, ValidationFailed
from keyworker.core.models import Sequence
from keyworker.core.validation import check_field_values
from keyworker.core.versioning import save_if_unchanged
from keyworker.people.importing import ImportFileError, decode_upload, parse_clients_csv
from keyworker.people.models import Client, ClientImport, ClientImportStatus
from keyworker.people.selectors_import import client_import_preview, import_keyworkers_for

__all__ = ["client_import_confirm", "client_import_discard", "client_import_upload"]

FILENAME_MAX = 200


def _require(actor: User) -> None:
    if not policy.can_import_clients(actor):
        raise NotAllowed("Only a team's manager can import clients.")


@transaction.atomic
def client_import_upload(*, actor: User, filename: str, data: bytes) -> ClientImport:
    """Keep an uploaded file for its preview. A file that cannot be read at all keeps nothing; one with row
    problems is kept, so the preview can list them."""
    _require(actor)
    try:
        text = decode_upload(data)
        parsed = parse_clients_csv(text, keyworkers=import_keyworkers_for(actor), today=timezone.localdate())
    except ImportFileError as exc:
        raise ValidationFailed(exc.message, {"file": [exc.message]}) from exc
    assert actor.team is not None  # can_import_clients: a manager with a team
    client_import = ClientImport.objects.create(
        uploaded_by=actor,
        team=actor.team,
        filename=filename[:FILENAME_MAX],
        csv_text=text,
        status=ClientImportStatus.PREVIEWED,
        row_count=len(parsed.rows) + len({e.line for e in parsed.errors}),
        error_count=len(parsed.errors),
    )
    audit_event_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=client_import,
        detail={"rows": client_import.row_count, "errors": client_import.error_count},
    )
    return client_import


def _reserve(name: str, count: int) -> range:
    """`count` consecutive values of a named counter at once (casework.services.case_open takes one at a time)."""
    Sequence.objects.get_or_create(name=name)
    Sequence.objects.filter(name=name).update(value=F("value") + count)
    last = Sequence.objects.select_for_update().get(name=name).value
    return range(last - count + 1, last + 1)


def _finish(actor: User, client_import: ClientImport, expected_version: int, status: str) -> None:
    fresh = ClientImport.objects.select_for_update().get(pk=client_import.pk)
    if fresh.status != ClientImportStatus.PREVIEWED:
        raise ValidationFailed(f"This import has already been {fresh.get_status_display().lower()}.")
    fresh.status = status
    fresh.csv_text = ""
    fresh.finished_at = timezone.now()
    save_if_unchanged(fresh, expected_version=expected_version, fields=["status", "csv_text", "finished_at"])
    for name in ("status", "csv_text", "finished_at", "version", "updated_at"):
        setattr(client_import, name, getattr(fresh, name))


def client_import_confirm(
    *, actor: User, client_import: ClientImport, expected_version: int, confirm_duplicates: bool = False
) -> list[Case]:
    """Every row becomes a client with an open case in the team, all together or not at all. Refused (nothing
    created) while any row has a problem, while possible duplicates are unconfirmed, or when the import was
    already imported or discarded (a stale confirm: ConcurrentEdit or ValidationFailed)."""
    _require(actor)
    try:
        with transaction.atomic():
            return _confirm(actor, client_import, expected_version, confirm_duplicates)
    except IntegrityError as exc:
        # Something only the database could catch (a reference taken meanwhile): nothing was created.
        raise ValidationFailed(
            "Nothing was imported: the database refused one of the records. Try again; if it happens again, "
            "tell your administrator."
        ) from exc


def _confirm(actor: User, client_import: ClientImport, expected_version: int, confirm_duplicates: bool) -> list[Case]:
    if client_import.team_id != actor.team_id:
        raise NotAllowed("Only the team's manager can import this file.")
    if client_import.status != ClientImportStatus.PREVIEWED:
        raise ValidationFailed(f"This import has already been {client_import.get_status_display().lower()}.")
    preview = client_import_preview(actor, client_import)
    if preview.file_error or preview.errors:
        raise ValidationFailed("Nothing was imported: fix the problems listed and upload the file again.")
    if preview.duplicates and not confirm_duplicates:
        raise ValidationFailed(
            "Some people may already be known. Check them, then confirm they are new people.",
            {"confirm_duplicates": ["Confirm these are new people, or remove them from the file."]},
        )
    _finish(actor, client_import, expected_version, ClientImportStatus.IMPORTED)
    clients: list[Client] = []
    for row in preview.rows:
        client = Client(**row.client)
        check_field_values(client)
        clients.append(client)
    today = timezone.localdate()
    numbers = _reserve("case", len(clients))
    cases = [
        Case(
            client=client,
            reference=f"KW-{number:06d}",
            programme=row.programme,
            status=CaseStatus.OPEN,
            opened_on=row.opened_on or today,
            keyworker_id=row.keyworker.id if row.keyworker else None,
            team_id=actor.team_id,
        )
        for client, row, number in zip(clients, preview.rows, numbers, strict=True)
    ]
    for case in cases:
        check_field_values(case)
    Client.objects.bulk_create(clients, batch_size=500)
    Case.objects.bulk_create(cases, batch_size=500)
    detail = {"import_id": str(client_import.pk)}
    for client in clients:
        client.client_id = client.pk  # type: ignore[attr-defined]  # so its create event is on its own trail
    records_created(actor, [*clients, *cases], detail=detail)
    audit_event_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=client_import,
        detail={"status": ClientImportStatus.IMPORTED, "clients": len(clients)},
    )
    return cases


@transaction.atomic
def client_import_discard(*, actor: User, client_import: ClientImport, expected_version: int) -> None:
    """Nothing is imported and the file's text is emptied."""
    _require(actor)
    if client_import.team_id != actor.team_id:
        raise NotAllowed("Only the team's manager can discard this file.")
    _finish(actor, client_import, expected_version, ClientImportStatus.DISCARDED)
    audit_event_record(
        actor=actor, action=AuditAction.UPDATE, obj=client_import, detail={"status": ClientImportStatus.DISCARDED}
    )
