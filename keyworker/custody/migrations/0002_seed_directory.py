from django.db import migrations


def seed(apps, schema_editor):
    from keyworker.custody.directory import ESTABLISHMENTS

    Establishment = apps.get_model("custody", "Establishment")
    for kind, name, address, postcode in ESTABLISHMENTS:
        Establishment.objects.get_or_create(kind=kind, name=name, defaults={"address": address, "postcode": postcode})


class Migration(migrations.Migration):
    dependencies = [("custody", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
