"""Seed the built-in roles (三员 and business roles) as data."""

from django.db import migrations


def seed(apps, schema_editor):
    from lantai.accounts.roles import BUILTIN_ROLES

    Role = apps.get_model("accounts", "Role")
    for spec in BUILTIN_ROLES:
        Role.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"], "name_en": spec["name_en"], "is_trio": spec["is_trio"],
                "permissions": spec["permissions"], "description": spec["description"], "is_builtin": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
