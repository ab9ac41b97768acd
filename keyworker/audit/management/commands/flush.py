"""Django's `flush`, able to empty the append-only audit table too.

`flush` deletes every row of every table (tests that run outside a transaction use it to clean up after
themselves). The audit table's triggers refuse row deletions and TRUNCATE, so this lifts them inside the
flush's own transaction and puts them back before it commits. Nothing else may delete audit events.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import transaction

from keyworker.audit.chain import append_only_suspended


class Command(FlushCommand):
    help = FlushCommand.help + " The audit log is emptied too (its append-only triggers are lifted meanwhile)."

    def handle(self, **options: Any) -> None:
        database = options["database"]
        with transaction.atomic(using=database), append_only_suspended(using=database):
            super().handle(**options)
