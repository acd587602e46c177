"""The test override: the environment's settings, made fast and deterministic."""

from counseling.settings import *  # noqa: F403

# Hashing a password the real way takes a quarter of a second; tests make hundreds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "zh-hans"
