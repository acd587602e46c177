"""Encryption at rest for the most sensitive data (DESIGN.md tier 3).

Values are encrypted with Fernet under FIELD_ENCRYPTION_KEY; a keyed hash (HMAC) of an
identifier lets the application find "the same student" across rows without storing the
identifier in clear. Rotating the key means re-encrypting: keep old keys in
FIELD_ENCRYPTION_OLD_KEYS until a migration has rewritten every value.
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


def encrypt(text):
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token):
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong FIELD_ENCRYPTION_KEY?") from exc


def keyed_hash(value):
    """A stable, non-reversible reference to an identifier (for lookups and grouping)."""
    key = hashlib.sha256(("ref:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
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
