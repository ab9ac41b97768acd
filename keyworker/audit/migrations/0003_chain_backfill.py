# Link the events recorded before the chain existed, oldest first (their role at the time is unknown: blank).

from django.db import migrations

GENESIS_HASH = "0" * 64


def link_existing(apps, schema_editor):
    from keyworker.audit.chain import event_hash, normalise_ip

    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias).order_by("occurred_at", "id")
    previous, sequence = GENESIS_HASH, 0
    for event in events.iterator(chunk_size=2000):
        sequence += 1
        event.sequence = sequence
        event.source_ip = normalise_ip(event.source_ip)
        event.previous_hash = previous
        event.hash = previous = event_hash(event)
        AuditEvent.objects.using(schema_editor.connection.alias).filter(pk=event.pk).update(
            sequence=event.sequence, source_ip=event.source_ip, previous_hash=event.previous_hash, hash=event.hash
        )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_chain_fields'),
    ]

    operations = [
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
