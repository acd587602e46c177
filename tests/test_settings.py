"""Settings are read, not acted on: importing them touches no disk; the process makes the
folders it needs when it starts (CounselingConfig.ready). Production's refusal to start
without its own FIELD_ENCRYPTION_KEY is tested in tests/security/test_keys.py."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _python(code, var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="counseling.settings", DJANGO_VAR_DIR=str(var_dir))
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_reading_the_settings_makes_no_folder(tmp_path):
    var = tmp_path / "var"
    result = _python("import counseling.settings as s; print(s.STATIC_ROOT)", var)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(var / "staticfiles")
    assert not var.exists()


def test_starting_makes_the_sqlite_and_static_folders(tmp_path):
    var = tmp_path / "var"
    result = _python("import django; django.setup()", var)
    assert result.returncode == 0, result.stderr
    assert (var / "staticfiles").is_dir()  # the SQLite file's folder is var itself
