# Audit events: a time-ordered id (UUIDv7) for new events, and two indexes fewer to keep up on every insert
# (the hash's unique index, with PostgreSQL's extra LIKE index for it, and the actor's own index, which the
# (actor, occurred_at) index already serves). docs/decisions/0041 says why.
#
# Only the state changes through Django's operations. The database work is done by hand because on SQLite
# altering this table rebuilds it, and a rebuild drops the append-only triggers (see 0004). On SQLite the
# hash's UNIQUE is part of the table's definition and stays until the table is next rebuilt; that costs an
# insert little there, and nothing reads it.

from django.db import migrations, models
from django.conf import settings

import keyworker.audit.models

TABLE = "audit_auditevent"


def _indexes_on(schema_editor, column, *, unique):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, TABLE)
    return {
        name: info
        for name, info in constraints.items()
        if info["columns"] == [column]
        and not info["primary_key"]
        and bool(info["unique"]) == unique
        and not info["foreign_key"]
    }


def lighten(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in _indexes_on(schema_editor, "actor_id", unique=False):
        schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")
    if schema_editor.connection.vendor == "postgresql":
        for name in _indexes_on(schema_editor, "hash", unique=True):
            schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {quote(name)}")
        for name in _indexes_on(schema_editor, "hash", unique=False):
            schema_editor.execute(f"DROP INDEX IF EXISTS {quote(name)}")


def restore(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS audit_auditevent_actor_id_270bb4b7 ON {TABLE} (actor_id)")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT audit_auditevent_hash_d0c402da_uniq UNIQUE (hash)")


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_audit_action_delete"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="id",
                    field=models.UUIDField(
                        default=keyworker.audit.models.new_event_id, editable=False, primary_key=True, serialize=False
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="actor",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="auditevent",
                    name="hash",
                    field=models.CharField(max_length=64),
                ),
            ],
            database_operations=[migrations.RunPython(lighten, restore)],
        ),
    ]
