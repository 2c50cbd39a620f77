"""Seed the DA/T 70 check catalogue, archiving formats and the default schemes."""

from django.db import migrations


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    from lantai.checks import seeds

    seeds.apply(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("checks", "0001_initial"),
        ("catalog", "0002_seed"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
