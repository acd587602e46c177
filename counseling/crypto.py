"""Encryption at rest for the most sensitive data (DESIGN.md tier 3).

Values are encrypted with Fernet under FIELD_ENCRYPTION_KEY; a keyed hash (HMAC) of an
identifier lets the application find "the same student" across rows without storing the
identifier in clear. Rotating the key means re-encrypting: keep old keys in
FIELD_ENCRYPTION_OLD_KEYS until `manage.py rotate_encryption_key` has rewritten every value.
The keyed hash has its own key (FIELD_HASH_KEY), which is never rotated: the hashes are
stored references and recomputing them all would gain nothing.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _derive(secret):
    return base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())


@lru_cache(maxsize=1)
def _fernet():
    keys = [settings.FIELD_ENCRYPTION_KEY, *settings.FIELD_ENCRYPTION_OLD_KEYS]
    return MultiFernet([Fernet(_derive(k)) for k in keys if k])


def reset_keys():
    """Forget the cached keys (after the settings changed: tests, the rotation command)."""
    _fernet.cache_clear()


def rotate(token):
    """The same value, encrypted under the current key (readable under an old one)."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY?") from exc


def readable_with_current_key(token):
    try:
        Fernet(_derive(settings.FIELD_ENCRYPTION_KEY)).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def encrypted_fields():
    """Every (model, field) stored encrypted, in every installed app."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, EncryptedTextField)
    ]


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY?") from exc


def keyed_hash(value, *, purpose="ref"):
    """A stable, non-reversible reference to a value (for lookups, grouping, dedupe).

    The portal's one keyed hash: HMAC-SHA256 under FIELD_HASH_KEY, with a key of its own per
    `purpose`, so that the hash of one value made for one use says nothing about another
    use. "ref" (students of concern) is the default and its hashes are stored: its key
    derivation must not change.
    """
    key = hashlib.sha256(f"{purpose}:{settings.FIELD_HASH_KEY}".encode()).digest()
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; cannot be filtered or ordered on, by design."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
