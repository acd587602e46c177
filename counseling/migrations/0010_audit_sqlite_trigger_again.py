"""Put the audit table's SQLite trigger back.

SQLite alters a table by building a new one and copying the rows over, which drops the
table's triggers: the fields 0004 added to the audit table took 0002's trigger with them,
so on SQLite the trail had been open to UPDATE since. PostgreSQL keeps its triggers through
ALTER TABLE and needs nothing here. A later migration that alters counseling_auditentry
must end the same way (tests/test_migrations.py checks the trigger is there).
"""

from django.db import migrations

SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS counseling_auditentry_no_update BEFORE UPDATE ON counseling_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_UP, params=None)


class Migration(migrations.Migration):
    dependencies = [("counseling", "0009_export_job_queued_at")]

    operations = [migrations.RunPython(up, migrations.RunPython.noop)]
