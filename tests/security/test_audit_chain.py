"""The audit trail cannot be emptied by the application, and tampering by the owner shows."""

import os
import subprocess

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from counseling import audit
from counseling.audit import AuditEntry
from tests.factories import SchoolFactory, UserFactory

Action = AuditEntry.Action
on_postgres = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="PostgreSQL only (CI sets DATABASE_URL)",
)


@pytest.fixture
def trail(db):
    """Five entries in one school's chain, three in the chain without a school."""
    school = SchoolFactory()
    user = UserFactory()
    entries = [
        audit.record(user, Action.UPDATE, school, changes={"n": [i, i + 1]}) for i in range(5)
    ]
    loose = [audit.record(user, Action.LOGIN, label=f"sign-in {i}") for i in range(3)]
    return school, entries, loose


def as_owner(sql, params=()):
    """Run SQL as the table owner with the row triggers out of the way, as an intruder would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Django's deferred foreign-key checks would otherwise block ALTER TABLE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE counseling_auditentry DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE counseling_auditentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS counseling_auditentry_no_update")
            cursor.execute(sql, params)


class TestHashChain:
    def test_each_entry_links_to_the_previous_of_its_school(self, trail):
        school, entries, loose = trail
        for before, after in zip(entries, entries[1:], strict=False):
            assert after.prev_hash == before.entry_hash
        assert loose[1].prev_hash == loose[0].entry_hash
        assert len({e.entry_hash for e in entries + loose}) == 8

    def test_intact_trail_verifies(self, trail):
        report = audit.verify_chains()
        assert report.problems == []
        assert report.checked == AuditEntry.objects.exclude(entry_hash="").count() >= 8
        call_command("verify_audit", verbosity=0)

    def test_altered_row_is_detected(self, trail):
        _, entries, _ = trail
        as_owner(
            "UPDATE counseling_auditentry SET object_repr = %s WHERE id = %s",
            ["nothing to see", entries[2].pk],
        )
        problems = audit.verify_chains().problems
        assert len(problems) == 1
        assert f"entry {entries[2].pk} " in problems[0] and "altered" in problems[0]
        with pytest.raises(CommandError):
            call_command("verify_audit", verbosity=0)

    def test_altered_changes_are_detected(self, trail):
        _, entries, _ = trail
        as_owner(
            "UPDATE counseling_auditentry SET changes = %s WHERE id = %s",
            ['{"n": [0, 99]}', entries[0].pk],
        )
        assert any(f"entry {entries[0].pk} " in p for p in audit.verify_chains().problems)

    def test_removed_row_is_detected(self, trail):
        _, entries, _ = trail
        as_owner("DELETE FROM counseling_auditentry WHERE id = %s", [entries[2].pk])
        problems = audit.verify_chains().problems
        assert len(problems) == 1
        assert f"entry {entries[3].pk} " in problems[0] and "removed" in problems[0]

    def test_removed_first_row_is_detected(self, trail):
        _, entries, _ = trail
        as_owner("DELETE FROM counseling_auditentry WHERE id = %s", [entries[0].pk])
        assert any(f"entry {entries[1].pk} " in p for p in audit.verify_chains().problems)

    def test_entries_without_a_hash_are_counted_apart(self, trail):
        as_owner("UPDATE counseling_auditentry SET entry_hash = '', prev_hash = ''")
        report = audit.verify_chains()
        assert report.unchained == AuditEntry.objects.count() and report.problems == []


@on_postgres
class TestPostgresRefuses:
    def test_truncate_refused_on_an_application_connection(self, trail):
        # The application's connection does not carry the test harness's setting.
        before = AuditEntry.objects.count()
        with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL counseling.audit_truncate = 'off'")
                cursor.execute("TRUNCATE counseling_auditentry")
        assert AuditEntry.objects.count() == before

    def test_truncate_by_cascade_refused(self, trail):
        with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL counseling.audit_truncate = 'off'")
                cursor.execute("TRUNCATE counseling_school CASCADE")

    def test_delete_and_update_refused(self, trail):
        for sql in (
            "DELETE FROM counseling_auditentry",
            "UPDATE counseling_auditentry SET action = 'x'",
        ):
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(sql)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_application_role_cannot_truncate_or_disable_triggers():
    """scripts/db-roles.sql (make db-roles) applied to this database, then tried as that role."""
    settings = connection.settings_dict
    role = f"{settings['NAME']}_app"[:60]
    url = (
        f"postgresql://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
    script = ["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-v", f"app_role={role}"]
    script += ["-v", "app_password=", "-f", "scripts/db-roles.sql"]
    for _ in range(2):  # idempotent
        subprocess.run(script, check=True, env=env, capture_output=True)
    user = UserFactory()
    try:
        refused = [
            "TRUNCATE counseling_auditentry",
            "ALTER TABLE counseling_auditentry DISABLE TRIGGER USER",
            "DROP TRIGGER counseling_auditentry_no_truncate ON counseling_auditentry",
            "DELETE FROM counseling_auditentry",
            "UPDATE counseling_auditentry SET action = 'x'",
            "TRUNCATE counseling_school CASCADE",
        ]
        for sql in refused:
            with pytest.raises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cursor.execute(f'SET LOCAL ROLE "{role}"')
                    cursor.execute(sql)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'SET LOCAL ROLE "{role}"')
            entry = audit.record(user, Action.LOGIN, label="as the application")
            assert AuditEntry.objects.filter(pk=entry.pk).exists()
            user.first_name = "改"
            user.save()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
