"""Seed Keyworker's own default outcome scale (keyworker/outcomes/scale_default.py), over the resettlement
pathways plus safety and identity and self-esteem, read every 91 days.

The wording is Keyworker's own: the Outcomes Star's licence forbids software that incorporates it, so none of
its wording or stage names is used or imitated.

`seed` is idempotent (a scale, domain or step already there is left alone, so a manager's rewording survives),
so a test that flushed the database can call it again:
importlib.import_module("keyworker.outcomes.migrations.0003_seed_default_scale").seed(apps, None)."""

from django.db import migrations


def seed(apps, schema_editor):
    from keyworker.outcomes.scale_default import (
        DEFAULT_DOMAINS,
        DEFAULT_INTERVAL_DAYS,
        DEFAULT_SCALE_DESCRIPTION,
        DEFAULT_SCALE_NAME,
    )

    OutcomeScale = apps.get_model("outcomes", "OutcomeScale")
    OutcomeDomain = apps.get_model("outcomes", "OutcomeDomain")
    OutcomeStep = apps.get_model("outcomes", "OutcomeStep")
    scale, _ = OutcomeScale.objects.get_or_create(
        name=DEFAULT_SCALE_NAME,
        defaults={"description": DEFAULT_SCALE_DESCRIPTION, "reading_interval_days": DEFAULT_INTERVAL_DAYS},
    )
    for order, domain in enumerate(DEFAULT_DOMAINS, start=1):
        row, _ = OutcomeDomain.objects.get_or_create(
            scale=scale, key=domain.key, defaults={"name": domain.name, "order": order}
        )
        have = set(OutcomeStep.objects.filter(domain=row).values_list("value", flat=True))
        OutcomeStep.objects.bulk_create(
            [
                OutcomeStep(domain=row, value=step.value, label=step.label, description=step.description)
                for step in domain.steps
                if step.value not in have
            ]
        )


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0002_scales_milestones_mentors_letters")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
