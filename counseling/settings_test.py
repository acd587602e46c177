"""The test override: the environment's settings, made fast and deterministic."""

from counseling.settings import *  # noqa: F403

# Hashing a password the real way takes a quarter of a second; tests make hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"

if DATABASES["default"]["ENGINE"].endswith("postgresql"):  # noqa: F405
    # The runner's flush between transactional tests truncates the audit trail; the trigger
    # of migration 0005 lets it only on a test_* database whose connection asks for it.
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c counseling.audit_truncate=on").strip()

# The suite signs in and answers feedback from 127.0.0.1 hundreds of times within minutes,
# and with Redis the counters outlive each test: the limits' own tests set their rates.
RATE_LIMITS = {"sign-in": "100000/m", "feedback": "100000/m", **RATE_LIMITS}  # noqa: F405
