"""Full-text search of contact notes and their amendments (docs/decisions/0030-search.md).

PostgreSQL: GIN indexes on to_tsvector('english', ...) of the note and of the amendment's text; queries use
the very same expression so the planner can use them.
SQLite: FTS5 tables (porter stemming) kept in step by triggers. A sensitive contact's note is never put in
the index (and the search query excludes sensitive contacts as well, in case one is marked so later).
"""

from django.db import migrations

from keyworker.core.migration_sql import run_sql_per_vendor

POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS casework_contact_note_fts ON casework_contact USING gin (to_tsvector('english', note))",
    "CREATE INDEX IF NOT EXISTS casework_amendment_text_fts ON casework_contactamendment "
    "USING gin (to_tsvector('english', text))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS casework_contact_note_fts",
    "DROP INDEX IF EXISTS casework_amendment_text_fts",
]

TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"
# Each FTS5 table holds only the text; its rowid is the integer key of a small table that names the record
# and its client (so the access policy is applied to matches without reading the contacts themselves).
# A match then costs an integer lookup per row (not a read of the stored text), and a trigger finds its row by
# the unique index; INTEGER PRIMARY KEYs are not renumbered by VACUUM.
NOTE_KEY = "(SELECT id FROM casework_contact_notes_key WHERE contact_id = {row}.id)"
AMENDMENT_KEY = "(SELECT id FROM casework_amendment_notes_key WHERE amendment_id = {row}.id)"
SQLITE_FORWARD = [
    "CREATE TABLE casework_contact_notes_key (id INTEGER PRIMARY KEY, contact_id char(32) NOT NULL UNIQUE, "
    "client_id char(32) NOT NULL)",
    f"CREATE VIRTUAL TABLE casework_contact_notes USING fts5(note, {TOKENIZE})",
    """CREATE TRIGGER casework_contact_notes_insert AFTER INSERT ON casework_contact
        WHEN NOT new.is_sensitive BEGIN
        INSERT INTO casework_contact_notes_key (contact_id, client_id) VALUES (new.id, new.client_id);
        INSERT INTO casework_contact_notes (rowid, note) VALUES ("""
    + NOTE_KEY.format(row="new")
    + """, new.note);
    END""",
    """CREATE TRIGGER casework_contact_notes_update AFTER UPDATE OF note, is_sensitive, client_id, id ON casework_contact
        BEGIN
        DELETE FROM casework_contact_notes WHERE rowid = """
    + NOTE_KEY.format(row="old")
    + """;
        DELETE FROM casework_contact_notes_key WHERE contact_id = old.id;
        INSERT INTO casework_contact_notes_key (contact_id, client_id)
            SELECT new.id, new.client_id WHERE NOT new.is_sensitive;
        INSERT INTO casework_contact_notes (rowid, note) SELECT """
    + NOTE_KEY.format(row="new")
    + """, new.note WHERE NOT new.is_sensitive;
    END""",
    """CREATE TRIGGER casework_contact_notes_delete AFTER DELETE ON casework_contact BEGIN
        DELETE FROM casework_contact_notes WHERE rowid = """
    + NOTE_KEY.format(row="old")
    + """;
        DELETE FROM casework_contact_notes_key WHERE contact_id = old.id;
    END""",
    "INSERT INTO casework_contact_notes_key (contact_id, client_id) SELECT id, client_id FROM casework_contact "
    "WHERE NOT is_sensitive",
    "INSERT INTO casework_contact_notes (rowid, note) SELECT k.id, c.note FROM casework_contact_notes_key k "
    "JOIN casework_contact c ON c.id = k.contact_id",
    "CREATE TABLE casework_amendment_notes_key "
    "(id INTEGER PRIMARY KEY, amendment_id char(32) NOT NULL UNIQUE, contact_id char(32) NOT NULL, "
    "client_id char(32) NOT NULL)",
    f"CREATE VIRTUAL TABLE casework_amendment_notes USING fts5(text, {TOKENIZE})",
    """CREATE TRIGGER casework_amendment_notes_insert AFTER INSERT ON casework_contactamendment BEGIN
        INSERT INTO casework_amendment_notes_key (amendment_id, contact_id, client_id)
            SELECT new.id, new.contact_id, client_id FROM casework_contact WHERE id = new.contact_id;
        INSERT INTO casework_amendment_notes (rowid, text) VALUES ("""
    + AMENDMENT_KEY.format(row="new")
    + """, new.text);
    END""",
    """CREATE TRIGGER casework_amendment_notes_update
        AFTER UPDATE OF text, contact_id, id ON casework_contactamendment BEGIN
        DELETE FROM casework_amendment_notes WHERE rowid = """
    + AMENDMENT_KEY.format(row="old")
    + """;
        DELETE FROM casework_amendment_notes_key WHERE amendment_id = old.id;
        INSERT INTO casework_amendment_notes_key (amendment_id, contact_id, client_id)
            SELECT new.id, new.contact_id, client_id FROM casework_contact WHERE id = new.contact_id;
        INSERT INTO casework_amendment_notes (rowid, text) VALUES ("""
    + AMENDMENT_KEY.format(row="new")
    + """, new.text);
    END""",
    """CREATE TRIGGER casework_amendment_notes_delete AFTER DELETE ON casework_contactamendment BEGIN
        DELETE FROM casework_amendment_notes WHERE rowid = """
    + AMENDMENT_KEY.format(row="old")
    + """;
        DELETE FROM casework_amendment_notes_key WHERE amendment_id = old.id;
    END""",
    "INSERT INTO casework_amendment_notes_key (amendment_id, contact_id, client_id) "
    "SELECT a.id, a.contact_id, c.client_id FROM casework_contactamendment a JOIN casework_contact c ON c.id = a.contact_id",
    "INSERT INTO casework_amendment_notes (rowid, text) SELECT k.id, a.text FROM casework_amendment_notes_key k "
    "JOIN casework_contactamendment a ON a.id = k.amendment_id",
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_{event}"
        for table in ("casework_contact_notes", "casework_amendment_notes")
        for event in ("insert", "update", "delete")
    ),
    "DROP TABLE IF EXISTS casework_contact_notes",
    "DROP TABLE IF EXISTS casework_amendment_notes",
    "DROP TABLE IF EXISTS casework_contact_notes_key",
    "DROP TABLE IF EXISTS casework_amendment_notes_key",
]


class Migration(migrations.Migration):
    dependencies = [("casework", "0001_initial")]

    operations = [
        migrations.RunPython(
            run_sql_per_vendor({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            run_sql_per_vendor({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
