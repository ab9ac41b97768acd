"""`keyworker scan-note`: read a note on standard input, print the possible disclosures as JSON.

    echo "She said he hit her and the kids were there." | keyworker scan-note
    [{"category": "domestic_abuse", "phrase": "hit her", "start": 12, "end": 19}, ...]

It uses the safeguarding lead's lists from the database, or the shipped defaults with --defaults (no database
needed). The note is not stored anywhere. (The file name has a hyphen so the command is spelt as the issue asks;
Django finds commands by file name and imports them with importlib, which accepts it.)"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from keyworker.safeguarding.scanner import default_rules, scan


class Command(BaseCommand):
    help = "Read a note on standard input and print the possible disclosures in it as a JSON list."
    stealth_options = ("stdin",)  # call_command(..., stdin=...) in tests

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--defaults", action="store_true", help="Use the shipped default lists, not the database's."
        )
        parser.add_argument("--indent", type=int, default=None, help="Pretty-print the JSON with this indent.")

    def handle(self, *args: Any, **options: Any) -> None:
        stdin = options.get("stdin") or sys.stdin
        note = stdin.read()
        if options["defaults"]:
            rules = default_rules()
        else:
            from keyworker.safeguarding.selectors.scanner import scanner_rules

            try:
                rules = scanner_rules()
            except DatabaseError as exc:
                raise CommandError("The database has no scanner lists (run migrate first), or use --defaults.") from exc
        findings = [finding.as_dict() for finding in scan(note, rules)]
        self.stdout.write(json.dumps(findings, indent=options["indent"], ensure_ascii=False))
