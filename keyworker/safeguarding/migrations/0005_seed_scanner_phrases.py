"""Seed the disclosure scanner's default phrase lists (keyworker/safeguarding/scanner_defaults.py).

`seed` is idempotent (an entry already there, enabled or not, is left alone), so a test that flushed the
database can call it again: importlib.import_module("keyworker.safeguarding.migrations.0005_seed_scanner_phrases")
.seed(apps, None)."""

from django.db import migrations


def seed(apps, schema_editor):
    from keyworker.safeguarding.scanner_defaults import default_entries

    ScannerPhrase = apps.get_model("safeguarding", "ScannerPhrase")
    existing = set(ScannerPhrase.objects.values_list("category", "phrase"))
    new = []
    for entry in default_entries():
        if (entry.category, entry.phrase) not in existing:
            existing.add((entry.category, entry.phrase))
            new.append(ScannerPhrase(category=entry.category, phrase=entry.phrase, is_pattern=entry.is_pattern))
    ScannerPhrase.objects.bulk_create(new)


class Migration(migrations.Migration):
    dependencies = [("safeguarding", "0004_concerns_risk_on_call")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
