"""Key rotation may re-encrypt a signed note: the trigger of 0003 lets an UPDATE through when
only the note's ciphertext changes, and only while `rotate_encryption_key` has set
`counseling.rotating_keys` for its own transaction. Everything else is refused as before."""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION consultations_sessionnote_refuse() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        IF TG_OP = 'UPDATE'
            AND coalesce(current_setting('counseling.rotating_keys', true), '') = 'on'
            AND (to_jsonb(NEW) - 'body') = (to_jsonb(OLD) - 'body')
        THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'a signed note changes only by an amendment (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
# The function as migration 0003 made it.
POSTGRES_DOWN = """
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
"""


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP, params=None)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("consultations", "0006_verbose_names")]

    operations = [migrations.RunPython(up, down)]
