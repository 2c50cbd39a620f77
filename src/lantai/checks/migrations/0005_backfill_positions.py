"""Number the results of runs saved before ``CheckResult.position`` existed (in report order)."""

from django.db import migrations


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    CheckResult = apps.get_model("checks", "CheckResult")
    CheckRun = apps.get_model("checks", "CheckRun")
    for run_id in CheckRun.objects.values_list("pk", flat=True).iterator():
        rows = list(CheckResult.objects.filter(run_id=run_id).order_by("id"))
        if len(rows) > 1 and all(r.position == 0 for r in rows):
            for i, row in enumerate(rows):
                row.position = i
            CheckResult.objects.bulk_update(rows, ["position"])


class Migration(migrations.Migration):
    dependencies = [("checks", "0004_manual_decisions")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
