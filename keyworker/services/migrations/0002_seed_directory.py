from django.db import migrations


def seed(apps, schema_editor):
    from keyworker.services.directory_seed import HELPLINES, ORGANISATIONS

    Organisation = apps.get_model("services", "Organisation")
    Service = apps.get_model("services", "Service")
    for entry in HELPLINES:
        values = dict(entry)
        organisation, _ = Organisation.objects.get_or_create(
            name=values.pop("organisation"), defaults={"website": ORGANISATIONS.get(entry["organisation"], "")}
        )
        name = values.pop("name")
        values.update(referral_method="self", area_covered="National", is_national=True, is_helpline=True)
        Service.objects.get_or_create(organisation=organisation, name=name, defaults=values)


class Migration(migrations.Migration):
    dependencies = [("services", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
