"""Make the audit trail append-only in the database itself, below the application."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION counseling_auditentry_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER counseling_auditentry_append_only
    BEFORE UPDATE OR DELETE ON counseling_auditentry
    FOR EACH ROW EXECUTE FUNCTION counseling_auditentry_refuse();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS counseling_auditentry_append_only ON counseling_auditentry;
DROP FUNCTION IF EXISTS counseling_auditentry_refuse();
"""
# SQLite refuses updates only: the test runner empties tables with DELETE between tests.
SQLITE_UP = """
CREATE TRIGGER counseling_auditentry_no_update BEFORE UPDATE ON counseling_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS counseling_auditentry_no_update;"


def up(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        # No parameters: the PL/pgSQL body's "%" is RAISE's placeholder, not the driver's.
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("counseling", "0001_initial")]

    operations = [migrations.RunPython(up, down)]
