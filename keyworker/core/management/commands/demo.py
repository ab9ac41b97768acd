"""`keyworker demo`: load the demo data (idempotent) and print the sign-ins. The work is in keyworker.core.demo."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from keyworker.accounts.models import User
from keyworker.core.demo import (
    DEFAULT_CLIENTS,
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoResult,
    SignIn,
    demo_give_totp,
    demo_load,
)


class Command(BaseCommand):
    help = (
        "Load the demo: three teams, staff in every role, a realistic caseload with two years of history, and "
        "the acceptance week staged in the current week for dee@demo.keyworker.test. Does nothing if the demo "
        "is already loaded; --reset deletes it and builds it again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete all demo data and build it again.")
        parser.add_argument(
            "--clients", type=int, default=DEFAULT_CLIENTS, metavar="N",
            help=f"How many clients to create, counting the eight in the staged week (default {DEFAULT_CLIENTS}).",
        )

    def handle(self, *args: Any, reset: bool, clients: int, **options: Any) -> None:
        if settings.PRODUCTION:
            # Demo accounts share a published password and MFA key: they must never exist in production.
            raise CommandError("The demo cannot be loaded when KEYWORKER_PRODUCTION=1.")
        if clients < 0:
            raise CommandError("--clients must be zero or more.")
        result = demo_load(clients=clients, reset=reset)
        # A demo loaded before MFA was required gets the documented authenticator key too.
        demo_give_totp(User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}"))
        self.stdout.write(self.summary(result))
        self.stdout.write("")
        self.stdout.write(self.sign_in_table(result.sign_ins))

    def summary(self, result: DemoResult) -> str:
        counts = ", ".join(f"{n:,} {what}" for what, n in result.counts.items())
        week = f"{result.week_monday:%d %b %Y}"
        if not result.created:
            lines = [self.style.WARNING(f"The demo is already loaded; nothing changed ({counts}).")]
            if not result.week_is_current:
                lines.append(
                    f"Its week was staged for the week of {week}. Run `keyworker demo --reset` to stage it "
                    "in this week."
                )
            return "\n".join(lines)
        verb = "Rebuilt" if result.reset else "Loaded"
        removed = f" after deleting {result.deleted:,} rows" if result.reset else ""
        return self.style.SUCCESS(
            f"{verb} the demo in {result.seconds:.1f}s{removed}: {counts}. "
            f"The acceptance week is staged in the week of {week}."
        )

    def sign_in_table(self, sign_ins: list[SignIn]) -> str:
        header = ("Email", "Name", "Role", "Team")
        rows = [(s.email, s.name, s.role, s.team or "-") for s in sign_ins]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        rule = "  ".join("-" * width for width in widths)
        return "\n".join([
            f"Demo sign-ins (password for every account: {DEMO_PASSWORD})",
            f"Second step (MFA): every account's authenticator key is {DEMO_TOTP_SECRET} (TOTP, 30 s, 6 digits).",
            f"  Current code: oathtool --totp -b {DEMO_TOTP_SECRET}",
            "  or add the key to an authenticator app by hand (see README.md, Demo sign-ins).",
            "",
            line(header),
            rule,
            *(line(row) for row in rows),
        ])
