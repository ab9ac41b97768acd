"""`keyworker backup [--output PATH]`: an encrypted backup of the configured database
(docs/decisions/0033-backups.md). `keyworker backup --new-key` prints a fresh KEYWORKER_BACKUP_KEY."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from keyworker.core.backup import BackupError, backup_create, default_output, key_from_environment, new_key


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite's online backup, or pg_dump) encrypted with KEYWORKER_BACKUP_KEY into "
        "var/backups/keyworker-<UTC time>.kwbackup, or --output. Safe while Keyworker is running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, metavar="PATH", help="Where to write the backup file.")
        parser.add_argument("--database", default="default", help="Which configured database (default: default).")
        parser.add_argument(
            "--new-key", action="store_true", help="Print a fresh key for KEYWORKER_BACKUP_KEY and stop."
        )

    def handle(self, *args: Any, output: Path | None, database: str, new_key: bool, **options: Any) -> None:
        if new_key:
            self.stdout.write(_new_key())
            return
        try:
            key = key_from_environment()
            result = backup_create(
                connection=connections[database], output=output or default_output(Path(settings.DATA_DIR)), key=key
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the {result.vendor} database ({result.plaintext_bytes:,} bytes) to {result.path} "
                f"({result.encrypted_bytes:,} bytes, encrypted)."
            )
        )
        self.stdout.write("Restore it with `keyworker restore PATH` and the same KEYWORKER_BACKUP_KEY.")


def _new_key() -> str:
    return new_key()
