"""`keyworker audit verify`: walk the audit log's hash chain and report the first altered, removed or
inserted event (exit status 1), or "audit log verified: N events"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.audit.chain import hash_at, verify_chain


class Command(BaseCommand):
    help = "The audit log. `verify` checks that no event has been altered, removed or inserted."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        verify = subcommands.add_parser("verify", help="Recompute every event's hash, in sequence order.")
        verify.add_argument(
            "--expect",
            metavar="SEQUENCE:HASH",
            action="append",
            default=[],
            help="A head printed by an earlier verify and kept elsewhere; fails if that event is gone or changed "
            "(this catches events removed from the end of the log, or a rewritten chain). Repeatable.",
        )
        verify.add_argument("--database", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "verify":
            self.verify(expect=options["expect"], database=options["database"])

    def verify(self, *, expect: list[str], database: str) -> None:
        verdict = verify_chain(using=database)
        if not verdict.ok:
            raise CommandError(
                f"audit log NOT verified: {verdict.problem}. {verdict.count} events before it are intact."
            )
        for anchor in expect:
            sequence_text, _, expected_hash = anchor.partition(":")
            if not sequence_text.isdigit() or len(expected_hash) != 64:
                raise CommandError(f"--expect takes SEQUENCE:HASH as printed by verify, not {anchor!r}.")
            found = hash_at(int(sequence_text), using=database)
            if found is None:
                raise CommandError(f"audit log NOT verified: event #{sequence_text} is missing (removed).")
            if found != expected_hash.lower():
                raise CommandError(
                    f"audit log NOT verified: event #{sequence_text} no longer has the hash recorded for it "
                    "(the chain was rewritten)."
                )
        self.stdout.write(f"audit log verified: {verdict.count} events")
        self.stdout.write(f"head: {verdict.head_sequence}:{verdict.head_hash}")
