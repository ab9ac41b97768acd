"""Notes search on PostgreSQL: the tsvector of each note (and amendment) is stored in a generated column, and
the GIN index is on that column (docs/decisions/0030-search.md, "national scale").

With only an expression index, a search for a common word starts from the searcher's visible contacts (a team
holds some 16,000) and computes to_tsvector for every one of them: 400 ms at national scale. A stored vector
is read, not computed: the same plan costs a few milliseconds per thousand rows. The column is not a model
field: PostgreSQL fills it on every insert and update, and nothing in Django writes or reads it except the
search's own SQL. SQLite is unchanged (its FTS5 tables already hold the index).
"""

from django.db import migrations

from keyworker.core.migration_sql import run_sql_per_vendor

POSTGRES_FORWARD = [
    "ALTER TABLE casework_contact ADD COLUMN note_search tsvector"
    " GENERATED ALWAYS AS (to_tsvector('english', note)) STORED",
    "DROP INDEX IF EXISTS casework_contact_note_fts",
    "CREATE INDEX casework_contact_note_fts ON casework_contact USING gin (note_search)",
    "ALTER TABLE casework_contactamendment ADD COLUMN text_search tsvector"
    " GENERATED ALWAYS AS (to_tsvector('english', text)) STORED",
    "DROP INDEX IF EXISTS casework_amendment_text_fts",
    "CREATE INDEX casework_amendment_text_fts ON casework_contactamendment USING gin (text_search)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS casework_contact_note_fts",
    "ALTER TABLE casework_contact DROP COLUMN IF EXISTS note_search",
    "CREATE INDEX casework_contact_note_fts ON casework_contact USING gin (to_tsvector('english', note))",
    "DROP INDEX IF EXISTS casework_amendment_text_fts",
    "ALTER TABLE casework_contactamendment DROP COLUMN IF EXISTS text_search",
    "CREATE INDEX casework_amendment_text_fts ON casework_contactamendment USING gin (to_tsvector('english', text))",
]


class Migration(migrations.Migration):
    dependencies = [("casework", "0002_note_search")]

    operations = [
        migrations.RunPython(
            run_sql_per_vendor({"postgresql": POSTGRES_FORWARD}),
            run_sql_per_vendor({"postgresql": POSTGRES_BACKWARD}),
        ),
    ]
