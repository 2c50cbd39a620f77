"""Seed the catalogue code tables: categories, retention periods, schemes, default 档号 rules."""

from django.db import migrations, models


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from lantai.catalog import seeds

    seeds.apply(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="metadatafield",
            name="aliases",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
