"""Submitted report versions are frozen in the database itself, below the application."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION reports_reportversion_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a submitted report version is frozen (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_reportversion_frozen
    BEFORE UPDATE OR DELETE ON reports_reportversion
    FOR EACH ROW WHEN (OLD.status = 'submitted')
    EXECUTE FUNCTION reports_reportversion_refuse();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS reports_reportversion_frozen ON reports_reportversion;
DROP FUNCTION IF EXISTS reports_reportversion_refuse();
"""
# SQLite refuses updates only: the test runner empties tables with DELETE between tests
# (PostgreSQL's runner truncates, which fires no row trigger).
SQLITE_UP = """
CREATE TRIGGER reports_reportversion_no_update BEFORE UPDATE ON reports_reportversion
WHEN OLD.status = 'submitted'
BEGIN SELECT RAISE(ABORT, 'a submitted report version is frozen'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS reports_reportversion_no_update;"


def up(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0002_semester_report")]

    operations = [migrations.RunPython(up, down)]
