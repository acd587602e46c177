"""Personas of the world (tests/personas.py) by name, for tests that go through the roles."""

import pytest


@pytest.fixture
def persona(world):
    """The world's persona of that name: persona("counselor2")."""
    return world.people().__getitem__


@pytest.fixture
def signed_in_as(client, persona):
    """The test client signed in as the persona of that name: signed_in_as("liaison")."""

    def sign_in(username):
        client.force_login(persona(username))
        return client

    return sign_in
