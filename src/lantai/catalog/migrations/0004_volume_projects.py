"""项目 for 科技 archives: project code and name on volumes; KJ default volume rules by project."""

from django.db import migrations, models


def project_rules(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Databases seeded before projects existed: switch KJ's default volume rules to the project
    form unless an administrator has already changed them."""
    from lantai.catalog import seeds

    ArchivalCodeRule = apps.get_model("catalog", "ArchivalCodeRule")
    for level, old, new in (
        ("volume", seeds.DAT13_VOLUME, seeds.KJ_VOLUME),
        ("volume_item", seeds.DAT13_VOLUME_ITEM, seeds.KJ_VOLUME_ITEM),
    ):
        rule = ArchivalCodeRule.objects.filter(category__code="KJ", level=level, fonds__isnull=True).first()
        if rule is not None and rule.components == old:
            rule.components = new
            rule.name = "KJ " + seeds.PRESETS["project_" + level][0]
            rule.save(update_fields=["components", "name"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_item_tree_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="volume",
            name="project_code",
            field=models.CharField(blank=True, max_length=20, verbose_name="project code"),
        ),
        migrations.AddField(
            model_name="volume",
            name="project_name",
            field=models.CharField(blank=True, max_length=200, verbose_name="project name"),
        ),
        migrations.RunPython(project_rules, migrations.RunPython.noop),
    ]
