"""`keyworker restore PATH [--yes] [--into-url URL]`: decrypt and check a backup made by `keyworker backup`,
restore it, then verify the restored audit log (docs/decisions/0033-backups.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from keyworker.audit.chain import TABLE as AUDIT_TABLE
from keyworker.audit.chain import verify_chain
from keyworker.core.backup import (
    VENDORS,
    BackupError,
    backup_vendor,
    key_from_environment,
    restore_postgresql,
    restore_sqlite,
)

TARGET_ALIAS = "restore_target"


class Command(BaseCommand):
    help = (
        "Restore a backup made by `keyworker backup` over the configured database (or --into-url another one), "
        "then verify its audit log. Stop Keyworker first: everything in the target database is replaced."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The .kwbackup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask before replacing the database.")
        parser.add_argument(
            "--into-url",
            metavar="URL",
            help="Restore into this database instead (postgres://... or sqlite:////absolute/path), e.g. for a "
            "restore drill. It must be the same kind of database as the backup.",
        )

    def handle(self, *args: Any, path: Path, yes: bool, into_url: str | None, **options: Any) -> None:
        try:
            key = key_from_environment()
            if not path.is_file():
                raise BackupError(f"{path} is not a file.")
            vendor = backup_vendor(path)
            try:
                settings_dict = (
                    dict(dj_database_url.parse(into_url)) if into_url else dict(connections["default"].settings_dict)
                )
            except ValueError as error:
                raise BackupError(f"--into-url is not a database URL Keyworker understands: {error}") from error
            engine = str(settings_dict.get("ENGINE"))
            target_vendor = next((vendor for vendor in VENDORS if vendor in engine), engine)
            if vendor != target_vendor:
                raise BackupError(
                    f"This is a backup of a {vendor} database; the database to restore into is {target_vendor}. "
                    "Nothing was restored."
                )
            self.confirm(yes, settings_dict)
            if not into_url:
                connections["default"].close()  # no connection of ours keeps the old database open
            if vendor == "sqlite":
                result = restore_sqlite(path, key=key, target=Path(str(settings_dict["NAME"])))
            else:
                result = restore_postgresql(path, key=key, settings_dict=settings_dict)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored the {result.vendor} backup {path} into {result.target}."))
        self.verify(settings_dict if into_url else None)

    def confirm(self, yes: bool, settings_dict: dict[str, Any]) -> None:
        if yes:
            return
        where = settings_dict.get("NAME")
        if not sys.stdin.isatty():
            raise CommandError(f"This replaces everything in {where}. Add --yes to go ahead.")
        self.stdout.write(f"This replaces everything in {where} with the backup. Keyworker must be stopped.")
        if input("Type 'restore' to go ahead: ").strip() != "restore":
            raise CommandError("Nothing was restored.")

    def verify(self, settings_dict: dict[str, Any] | None) -> None:
        """`keyworker audit verify` on the restored database."""
        alias = "default"
        if settings_dict is not None:
            alias = TARGET_ALIAS
            configured = connections.configure_settings(
                {"default": connections.settings["default"], alias: settings_dict}
            )
            connections.settings[alias] = configured[alias]
        try:
            connections[alias].connect()  # opened here so an unreachable database fails at this point, clearly
            with connections[alias].cursor() as cursor:
                present = AUDIT_TABLE in connections[alias].introspection.table_names(cursor)
            if not present:
                raise CommandError("The restored database has no audit log: is the backup of a Keyworker database?")
            verdict = verify_chain(using=alias)
        finally:
            connections[alias].close()
            if alias == TARGET_ALIAS:
                del connections[alias]
                del connections.settings[alias]
        if not verdict.ok:
            raise CommandError(f"The restored audit log is NOT verified: {verdict.problem}.")
        self.stdout.write(f"audit log verified: {verdict.count} events")
        self.stdout.write(f"head: {verdict.head_sequence}:{verdict.head_hash}")
