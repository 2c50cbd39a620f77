"""tsvector columns and the GIN index of the postgres search backend (PostgreSQL only;
on SQLite this migration does nothing and the postgres backend refuses to start)."""

from django.db import migrations

FORWARD = [
    "ALTER TABLE search_pgdocument ADD COLUMN tsv tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE search_pgdocument ADD COLUMN tsw tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE search_pgdocument ADD COLUMN tsv_docno tsvector NOT NULL DEFAULT ''",
    "ALTER TABLE search_pgdocument ADD COLUMN tsv_code tsvector NOT NULL DEFAULT ''",
    "CREATE INDEX search_pgdocument_tsv ON search_pgdocument USING gin (tsv)",
    "CREATE INDEX search_pgdocument_tsv_docno ON search_pgdocument USING gin (tsv_docno)",
    "CREATE INDEX search_pgdocument_tsv_code ON search_pgdocument USING gin (tsv_code)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS search_pgdocument_tsv",
    "DROP INDEX IF EXISTS search_pgdocument_tsv_docno",
    "DROP INDEX IF EXISTS search_pgdocument_tsv_code",
    "ALTER TABLE search_pgdocument DROP COLUMN tsv, DROP COLUMN tsw, DROP COLUMN tsv_docno, DROP COLUMN tsv_code",
]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
