"""PostgreSQL: refuse UPDATE and DELETE on audit events (and DELETE of the chain head).

The first line of defence against changing the log through the application's own database
role; the SM3 chain (`lantai audit verify`) is the second, and the one that also covers a
table owner or superuser who disables the trigger. See docs/decisions/0002-audit-append-only.md.
TRUNCATE is left alone on purpose: the test runner empties tables with it between tests.
SQLite has no roles, so there the chain alone guards the log.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION lantai_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on %.% refused (审计日志只能追加)',
        TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION lantai_audit_append_only();
CREATE TRIGGER audit_head_keep BEFORE DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION lantai_audit_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_head_keep ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS lantai_audit_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]
    operations = [migrations.RunPython(forward, backward)]
