"""A signed session note changes only by an amendment: the database refuses the rest."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION consultations_sessionnote_refuse() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION 'a signed note changes only by an amendment (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER consultations_sessionnote_signed
    BEFORE UPDATE OR DELETE ON consultations_sessionnote
    FOR EACH ROW EXECUTE FUNCTION consultations_sessionnote_refuse();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS consultations_sessionnote_signed ON consultations_sessionnote;
DROP FUNCTION IF EXISTS consultations_sessionnote_refuse();
"""
# SQLite refuses updates only: the test runner empties tables with DELETE between tests.
SQLITE_UP = """
CREATE TRIGGER consultations_sessionnote_signed BEFORE UPDATE ON consultations_sessionnote
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed note changes only by an amendment'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS consultations_sessionnote_signed;"


def up(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0002_letters_cases")]

    operations = [migrations.RunPython(up, down)]
