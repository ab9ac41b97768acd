"""`keyworker sar export <client-id> [--output PATH] [--actor EMAIL]`: write a person's subject access record
(privacy/subject_access.py) as JSON, to PATH or standard output, and audit the export on their trail.

Subcommands, because issue 10 adds the rest of the subject access request (start, extend, the PDF)."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from keyworker.accounts.models import User
from keyworker.core.errors import NotAllowed
from keyworker.people.models import Client
from keyworker.privacy.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Subject access. `export` writes everything held about a person as JSON (third parties withheld)."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{export}")
        export = subcommands.add_parser("export", help="Write a person's subject access record as JSON.")
        export.add_argument("client_id", help="The client's id (as in their page's address).")
        export.add_argument(
            "--output", metavar="PATH", help="Write to this new file (readable by its owner only); default: stdout."
        )
        export.add_argument(
            "--actor",
            metavar="EMAIL",
            help="The data protection officer making the export, for the audit trail; default: the system.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export":
            self.export(client_id=options["client_id"], output=options["output"], actor_email=options["actor"])

    def export(self, *, client_id: str, output: str | None, actor_email: str | None) -> None:
        try:
            client = Client.objects.get(pk=uuid.UUID(client_id))
        except (ValueError, Client.DoesNotExist) as exc:
            raise CommandError(f"No client has the id {client_id!r}.") from exc
        actor = None
        if actor_email:
            actor = User.objects.filter(email__iexact=actor_email, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active member of staff has the e-mail address {actor_email!r}.")
        path = Path(output) if output else None
        if path is not None and path.exists():
            raise CommandError(f"{path} already exists: choose a new file (an export is never overwritten).")
        # The file is written inside the transaction: if it cannot be written, the export is not audited.
        try:
            with transaction.atomic():
                record = subject_access_export(actor=actor, client=client)
                text = json.dumps(record, indent=2, ensure_ascii=False) + "\n"
                if path is None:
                    self.stdout.write(text, ending="")
                else:
                    _write_private(path, text)
        except NotAllowed as exc:
            raise CommandError(str(exc)) from exc
        if path is not None:
            rows = sum(len(rows) for rows in record["sections"].values())
            self.stderr.write(
                f"subject access record written to {path}: {len(record['sections'])} sections, {rows} records, "
                f"{len(record['withheld'])} kinds withheld, {len(record['audit_trail'])} audit events"
            )


def _write_private(path: Path, text: str) -> None:
    """A new file only its owner can read: it holds everything about a person."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
