# Audit events gain the role they were done under, break-glass, more actions, and the hash chain's fields
# (nullable here; 0003 fills them in for existing events, 0004 makes them required).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditevent',
            name='actor_role',
            field=models.CharField(blank=True, default='', max_length=32),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditevent',
            name='break_glass',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='sequence',
            field=models.BigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='previous_hash',
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='action',
            field=models.CharField(choices=[('view', 'Viewed'), ('create', 'Created'), ('update', 'Changed'), ('search', 'Searched'), ('export', 'Exported'), ('denied', 'Refused access'), ('sign_in', 'Signed in'), ('sign_in_failed', 'Failed sign-in'), ('sign_out', 'Signed out')], max_length=16),
        ),
    ]
