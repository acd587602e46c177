"""Re-encrypt every tier-3 field under the current FIELD_ENCRYPTION_KEY.

To rotate: make a new key, start the portal with FIELD_ENCRYPTION_KEY=<new> and
FIELD_ENCRYPTION_OLD_KEYS=<old> (both readable), run this command, then `--verify`; when it
reports nothing under an old key, drop the old key from FIELD_ENCRYPTION_OLD_KEYS.
FIELD_HASH_KEY must stay what it was (by default it followed the old encryption key).
"""

from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections, transaction

from counseling import crypto

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field under the current FIELD_ENCRYPTION_KEY."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be rewritten; change nothing."
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Fail if any value still needs an old key (then the old key must stay).",
        )

    def handle(self, *args, dry_run=False, verify=False, **options):
        if (
            settings.FIELD_ENCRYPTION_OLD_KEYS
            and settings.FIELD_HASH_KEY == settings.FIELD_ENCRYPTION_KEY
        ):
            # The keyed hashes were made with the old key: following the new one would
            # lose every "same student" link. Pin FIELD_HASH_KEY first.
            raise CommandError(
                "Set FIELD_HASH_KEY to the key the hashes were made with (the old "
                "FIELD_ENCRYPTION_KEY, unless FIELD_HASH_KEY was set before) and run again."
            )
        crypto.reset_keys()
        stale = 0
        for model, field in crypto.encrypted_fields():
            count = self._field(model, field, dry_run=dry_run or verify)
            stale += count
            label = f"{model._meta.label}.{field.name}"
            self.stdout.write(
                f"{label}: {count} value(s) {'to rewrite' if dry_run or verify else 'rewritten'}"
            )
        if verify and stale:
            raise CommandError(
                f"{stale} value(s) still need an old key: keep it and run the command."
            )
        self.stdout.write(self.style.SUCCESS("Done."))

    def _field(self, model, field, *, dry_run):
        """Rewrite one column's values that are not under the current key; returns how many."""
        table = model._default_manager
        column = field.attname
        count = 0
        with transaction.atomic(using=table.db), _rotating(table.db, model._meta.db_table):
            # Raw tokens, not the decrypted text: .values_list on a raw alias would decrypt.
            rows = table.exclude(**{column: ""}).exclude(**{f"{column}__isnull": True})
            pks = list(rows.values_list("pk", flat=True))
            for start in range(0, len(pks), BATCH):
                tokens = _raw_tokens(model, column, pks[start : start + BATCH])
                for pk, token in tokens:
                    if crypto.readable_with_current_key(token):
                        continue
                    count += 1
                    if not dry_run:
                        try:
                            token = crypto.rotate(token)
                        except ValueError:
                            raise CommandError(
                                f"{model._meta.label}.{field.name} #{pk} is readable under no "
                                "key given: add its key to FIELD_ENCRYPTION_OLD_KEYS."
                            ) from None
                        _write_raw(model, column, pk, token)
        return count


@contextmanager
def _rotating(alias, db_table):
    """Tell the database's guards (the signed notes' trigger) that this transaction only
    re-encrypts. On PostgreSQL a transaction-local setting the trigger reads: switched off
    again at the end, and undone with the rest if the block rolls back. SQLite has no such
    setting, so its guard triggers are lifted for the transaction and put back as they
    were (the rotated table's only); its DDL is transactional and it has one writer, so
    nothing else gets through."""
    connection = connections[alias]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [db_table],
            )
            guards = cursor.fetchall()
            for name, _sql in guards:
                cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
        yield
        with connection.cursor() as cursor:
            for _name, sql in guards:
                cursor.execute(sql)
        return
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL counseling.rotating_keys = 'on'")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL counseling.rotating_keys = 'off'")


def _raw_tokens(model, column, pks):
    connection = connections[model._default_manager.db]
    table = connection.ops.quote_name(model._meta.db_table)
    col = connection.ops.quote_name(column)
    pk = connection.ops.quote_name(model._meta.pk.column)
    marks = ", ".join(["%s"] * len(pks))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {col} FROM {table} WHERE {pk} IN ({marks})", pks)  # noqa: S608
        return cursor.fetchall()


def _write_raw(model, column, pk, token):
    connection = connections[model._default_manager.db]
    table = connection.ops.quote_name(model._meta.db_table)
    col = connection.ops.quote_name(column)
    pkcol = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {col} = %s WHERE {pkcol} = %s", [token, pk])  # noqa: S608
