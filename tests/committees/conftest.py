"""Fixtures of the committees tests (the world itself is tests/personas.py's)."""

import pytest


@pytest.fixture
def sign_in(client):
    """The test client signed in as a persona (again after each jump in time: sessions
    end after two idle hours)."""

    def sign(user):
        client.force_login(user)
        return client

    return sign
