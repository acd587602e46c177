"""counseling.crypto.keyed_hash: the portal's one keyed hash."""

import hashlib
import hmac

from counseling.crypto import keyed_hash


def test_the_default_purpose_keeps_the_stored_references(settings):
    """Hashes of students of concern are stored: their derivation must never change."""
    settings.FIELD_HASH_KEY = "hash-key-for-tests"
    key = hashlib.sha256(b"ref:hash-key-for-tests").digest()
    assert keyed_hash(42) == hmac.new(key, b"42", hashlib.sha256).hexdigest()
    assert keyed_hash(42) == keyed_hash("42") == keyed_hash(42, purpose="ref")


def test_each_purpose_has_a_key_of_its_own(settings):
    settings.FIELD_HASH_KEY = "hash-key-for-tests"
    assert keyed_hash("device", purpose="feedback") != keyed_hash("device")
    assert keyed_hash("device", purpose="feedback") != keyed_hash("device", purpose="signal")
    assert keyed_hash("device", purpose="feedback") == keyed_hash("device", purpose="feedback")


def test_the_hash_follows_the_key(settings):
    settings.FIELD_HASH_KEY = "one"
    first = keyed_hash(42)
    settings.FIELD_HASH_KEY = "two"
    assert keyed_hash(42) != first
