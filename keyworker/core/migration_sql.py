"""For migrations whose SQL differs by database (search indexes: pg_trgm and GIN on PostgreSQL, FTS5 tables and
triggers on SQLite). Kept small and stable: migrations import it, so its behaviour must never change."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def run_sql_per_vendor(statements_by_vendor: dict[str, list[str]]) -> Callable[[Any, Any], None]:
    """A RunPython function that executes the statements listed for the connection's vendor, in order."""

    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run
