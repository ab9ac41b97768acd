"""`keyworker sar export <client-id> [--output PATH] [--actor EMAIL]`: write a person's subject access record
(privacy/subject_access.py) as JSON, to PATH or standard output, and audit the export on their trail.

`keyworker sar export --request <id>` builds a subject access request's record (JSON and PDF) inline, kept on
the request as the background job would, with a progress line per step on standard error.

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
        export.add_argument("client_id", nargs="?", help="The client's id (as in their page's address).")
        export.add_argument(
            "--request",
            metavar="ID",
            help="Instead: build this subject access request's record (JSON and PDF) now, kept on the request as "
            "the background job would, with its progress on standard error.",
        )
        export.add_argument(
            "--output", metavar="PATH", help="Write to this new file (readable by its owner only); default: stdout."
        )
        export.add_argument(
            "--actor",
            metavar="EMAIL",
            help="The data protection officer making the export, for the audit trail; default: the system.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "export" and options["request"]:
            if options["client_id"] or options["output"]:
                raise CommandError("--request builds the record kept on the request: give no client id or --output.")
            self.build_request(options["request"])
        elif options["subcommand"] == "export":
            if not options["client_id"]:
                raise CommandError("Give the client's id, or --request with a subject access request's id.")
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

    def build_request(self, request_id: str) -> None:
        from keyworker.privacy.models import SarStatus, SubjectAccessRequest
        from keyworker.privacy.sar.build import sar_build_run
        from keyworker.privacy.sar.services import OPEN_STATUSES

        # The system builds it, on the operator's authority (as export without --actor): no officer's check.
        with transaction.atomic():
            try:
                request = SubjectAccessRequest.objects.select_for_update().get(pk=uuid.UUID(request_id))
            except (ValueError, SubjectAccessRequest.DoesNotExist) as exc:
                raise CommandError(f"No subject access request has the id {request_id!r}.") from exc
            if request.status not in OPEN_STATUSES or request.client_id is None:
                raise CommandError(f"The request is {request.get_status_display().lower()}: it cannot be built.")
            request.status, request.progress, request.step, request.error = SarStatus.BUILDING, 0, "Starting", ""
            request.version += 1
            request.save(update_fields=["status", "progress", "step", "error", "version", "updated_at"])

        def show(percent: int, step: str) -> None:
            if percent >= 0:
                self.stderr.write(f"{percent:3d}% {step}")

        status = sar_build_run(request_id=request.pk, observer=show)
        if status != SarStatus.READY:
            raise CommandError(f"The build did not finish: the request is {status}. See the log for why.")
        self.stderr.write(f"subject access request {request.pk}: the record is ready to check (JSON and PDF)")


def _write_private(path: Path, text: str) -> None:
    """A new file only its owner can read: it holds everything about a person."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)
