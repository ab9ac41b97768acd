"""`keyworker lone_working_sweep`: escalate every overdue lone-working visit now (run it every few minutes from
cron or a systemd timer, as a safety net under the per-visit jobs)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from keyworker.diary.services.lone_working import lone_working_escalate_overdue


class Command(BaseCommand):
    help = "Escalate every lone-working visit that is overdue (safe to run at any time and as often as you like)."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = lone_working_escalate_overdue()
        self.stdout.write(f"Lone working: {raised} alert(s) raised.")
