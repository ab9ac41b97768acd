"""Typo-tolerant name search (docs/decisions/0030-search.md).

PostgreSQL: pg_trgm (a trusted extension) and a GIN trigram index on each lower-cased name.
SQLite: an FTS5 table with the trigram tokenizer over the names, kept in step by triggers. The names are
stored with a space either side of each, so a word's first and last letters make trigrams of their own.
The client's id is an indexed column too, so a trigger can find a client's row by MATCH (no table scan).
"""

from django.db import migrations

from keyworker.core.migration_sql import run_sql_per_vendor

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    *(
        f"CREATE INDEX IF NOT EXISTS people_client_{column}_trgm ON people_client "
        f"USING gin (lower({column}) gin_trgm_ops)"
        for column in ("first_name", "last_name", "preferred_name")
    ),
]
POSTGRES_BACKWARD = [
    f"DROP INDEX IF EXISTS people_client_{column}_trgm" for column in ("first_name", "last_name", "preferred_name")
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE people_client_names USING fts5(names, client_id, tokenize = 'trigram')",
    """CREATE TRIGGER people_client_names_insert AFTER INSERT ON people_client BEGIN
        INSERT INTO people_client_names (names, client_id) VALUES (
            ' ' || new.first_name || ' ' || new.last_name || ' ' || new.preferred_name || ' ', new.id
        );
    END""",
    """CREATE TRIGGER people_client_names_update
        AFTER UPDATE OF first_name, last_name, preferred_name, id ON people_client BEGIN
        DELETE FROM people_client_names WHERE people_client_names MATCH 'client_id : "' || old.id || '"';
        INSERT INTO people_client_names (names, client_id) VALUES (
            ' ' || new.first_name || ' ' || new.last_name || ' ' || new.preferred_name || ' ', new.id
        );
    END""",
    """CREATE TRIGGER people_client_names_delete AFTER DELETE ON people_client BEGIN
        DELETE FROM people_client_names WHERE people_client_names MATCH 'client_id : "' || old.id || '"';
    END""",
    "INSERT INTO people_client_names (names, client_id) "
    "SELECT ' ' || first_name || ' ' || last_name || ' ' || preferred_name || ' ', id FROM people_client",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS people_client_names_insert",
    "DROP TRIGGER IF EXISTS people_client_names_update",
    "DROP TRIGGER IF EXISTS people_client_names_delete",
    "DROP TABLE IF EXISTS people_client_names",
]


class Migration(migrations.Migration):
    dependencies = [("people", "0003_client_ethnicity")]

    operations = [
        migrations.RunPython(
            run_sql_per_vendor({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run_sql_per_vendor({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
