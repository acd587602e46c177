"""Refuse TRUNCATE on the audit trail (row triggers do not fire for it)."""

from django.db import migrations

# The test runner empties tables with TRUNCATE between transactional tests: it may, and
# only in a database named test_* on a connection that asks for it (settings_test.py).
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION counseling_auditentry_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_database() LIKE 'test\\_%'
       AND coalesce(current_setting('counseling.audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (TRUNCATE refused)'
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER counseling_auditentry_no_truncate
    BEFORE TRUNCATE ON counseling_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION counseling_auditentry_refuse_truncate();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS counseling_auditentry_no_truncate ON counseling_auditentry;
DROP FUNCTION IF EXISTS counseling_auditentry_refuse_truncate();
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("counseling", "0004_audit_hash_chain")]

    operations = [migrations.RunPython(up, down)]
