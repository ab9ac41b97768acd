"""Seed the default letter template: a character reference for court, in Keyworker's own words
(keyworker/outcomes/letter_default.py). It gives no opinion on sentence.

`seed` is idempotent (a template of that kind and name already there is left alone, so a manager's rewording
survives), so a test that flushed the database can call it again:
importlib.import_module("keyworker.outcomes.migrations.0004_seed_letter_templates").seed(apps, None)."""

from django.db import migrations


def seed(apps, schema_editor):
    from keyworker.outcomes.letter_default import DEFAULT_CHARACTER_REFERENCE, DEFAULT_CHARACTER_REFERENCE_NAME

    LetterTemplate = apps.get_model("outcomes", "LetterTemplate")
    LetterTemplate.objects.get_or_create(
        kind="character_reference",
        name=DEFAULT_CHARACTER_REFERENCE_NAME,
        defaults={"body": DEFAULT_CHARACTER_REFERENCE, "is_active": True},
    )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0003_seed_default_scale")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
