"""Alert.outcome becomes tier 3 (issue 9, finding 3): encrypt the rows written in clear."""

from django.db import migrations

import counseling.crypto


def _rewrite(apps, schema_editor, change):
    # Raw SQL: the historical model already decrypts on read, and these rows are plain text.
    Alert = apps.get_model("committees", "Alert")
    table = schema_editor.quote_name(Alert._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT id, outcome FROM {table} WHERE outcome <> ''")  # noqa: S608
        rows = cursor.fetchall()
        for pk, value in rows:
            new = change(value)
            if new is not None:
                cursor.execute(f"UPDATE {table} SET outcome = %s WHERE id = %s", [new, pk])  # noqa: S608


def _is_token(value):
    try:
        counseling.crypto.decrypt(value)
    except ValueError:
        return False
    return True


def encrypt_outcomes(apps, schema_editor):
    _rewrite(
        apps,
        schema_editor,
        lambda v: None if _is_token(v) else counseling.crypto.encrypt(v),
    )


def decrypt_outcomes(apps, schema_editor):
    _rewrite(
        apps,
        schema_editor,
        lambda v: counseling.crypto.decrypt(v) if _is_token(v) else None,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0002_alert_immediate_report"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="outcome",
            field=counseling.crypto.EncryptedTextField(blank=True, verbose_name="outcome"),
        ),
        migrations.RunPython(encrypt_outcomes, decrypt_outcomes),
    ]
