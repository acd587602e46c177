"""Keys (issue 9, findings 3 and 4): production names its own encryption key, rotation
re-encrypts every tier-3 field with the old key readable until done, the keyed hashes keep
working, and Alert.outcome is encrypted at rest."""

import importlib
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from committees.models import Alert
from counseling import crypto
from tests.counseling.test_accounts import production_env, run
from tests.factories import SchoolClassFactory, SemesterFactory

OUTCOME = "转介至市精神卫生中心-canary-7f3a"


@pytest.fixture
def keys(settings):
    """Set the keys for a test; the cached Fernet follows."""

    def use(current, old=(), hash_key=None):
        settings.FIELD_ENCRYPTION_KEY = current
        settings.FIELD_ENCRYPTION_OLD_KEYS = list(old)
        settings.FIELD_HASH_KEY = hash_key or current
        crypto.reset_keys()

    yield use
    crypto.reset_keys()


def make_alert(n=1, outcome=OUTCOME):
    school_class = SchoolClassFactory()
    semester = SemesterFactory(school=school_class.department.school)
    return Alert.objects.create(
        school=semester.school,
        semester=semester,
        school_class=school_class,
        rule=Alert.Rule.URGENT,
        grade=Alert.Grade.RED,
        key=f"test-keys-{n}-{school_class.pk}",
        student_id_enc="42",
        status=Alert.Status.CLOSED,
        outcome=outcome,
    )


def raw(alert, column="outcome"):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM committees_alert WHERE id = %s", [alert.pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- Finding 3 -----------------------------------------------------------------------------


def test_alert_outcome_is_encrypted_at_rest(db):
    alert = make_alert()
    stored = raw(alert)
    assert "canary" not in stored and "精神" not in stored
    assert crypto.decrypt(stored) == OUTCOME
    assert Alert.objects.get(pk=alert.pk).outcome == OUTCOME


def test_the_migration_encrypts_outcomes_written_in_clear(db):
    alert = make_alert()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE committees_alert SET outcome = %s WHERE id = %s", [OUTCOME, alert.pk]
        )
    assert raw(alert) == OUTCOME  # as the rows were before the migration
    migration = importlib.import_module("committees.migrations.0003_alert_outcome_encrypted")
    editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)
    from django.apps import apps

    migration.encrypt_outcomes(apps, editor)
    assert "canary" not in raw(alert) and crypto.decrypt(raw(alert)) == OUTCOME
    migration.encrypt_outcomes(apps, editor)  # twice: already encrypted rows stay as they are
    assert crypto.decrypt(raw(alert)) == OUTCOME
    migration.decrypt_outcomes(apps, editor)
    assert raw(alert) == OUTCOME


# --- Rotation ------------------------------------------------------------------------------


def test_rotation_re_encrypts_every_field_and_keeps_the_hashes(db, keys, settings):
    shared = settings.FIELD_ENCRYPTION_KEY  # the test database's other rows use it
    keys("old-key-for-tests", old=[shared])
    alert = make_alert()
    ref = crypto.keyed_hash(42)
    before = raw(alert), raw(alert, "student_id_enc")

    keys("new-key-for-tests", old=["old-key-for-tests", shared], hash_key="old-key-for-tests")
    with pytest.raises(CommandError):
        call_command("rotate_encryption_key", "--verify", stdout=open("/dev/null", "w"))
    call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))
    call_command("rotate_encryption_key", "--verify", stdout=open("/dev/null", "w"))
    after = raw(alert), raw(alert, "student_id_enc")
    assert after[0] != before[0] and after[1] != before[1]

    keys("new-key-for-tests", hash_key="old-key-for-tests")  # the old key dropped
    alert = Alert.objects.get(pk=alert.pk)
    assert alert.outcome == OUTCOME and alert.student_id_enc == "42"
    assert crypto.keyed_hash(42) == ref


def test_rotation_refuses_to_move_the_hash_key(db, keys):
    keys("new-key-for-tests", old=["old-key-for-tests"])  # FIELD_HASH_KEY follows the new one
    with pytest.raises(CommandError, match="FIELD_HASH_KEY"):
        call_command("rotate_encryption_key")


def test_rotation_stops_on_a_value_no_key_reads(db, keys):
    keys("lost-key")
    make_alert()
    keys("new-key-for-tests", old=["another-old-key"], hash_key="h")
    with pytest.raises(CommandError, match="readable under no key"):
        call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))


# --- Finding 4 -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "same-as-secret"])
def test_production_refuses_to_start_without_its_own_key(tmp_path, value):
    env = production_env()
    if value is None:
        del env["FIELD_ENCRYPTION_KEY"]
    else:
        env["FIELD_ENCRYPTION_KEY"] = env["DJANGO_SECRET_KEY"]
    result = run(["manage.py", "check"], env, tmp_path)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEY" in result.stderr and "secrets.token_urlsafe" in result.stderr


def test_production_starts_with_its_own_key(tmp_path):
    result = run(["manage.py", "check"], production_env(), tmp_path)
    assert result.returncode == 0, result.stderr
