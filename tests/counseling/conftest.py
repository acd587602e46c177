"""Personas of the world (tests/personas.py) by name, for tests that go through the roles."""

import pytest

from tests.personas import signed_in


@pytest.fixture
def persona(world):
    """The world's persona of that name: persona("counselor2")."""
    return world.people().__getitem__


@pytest.fixture
def signed_in_as(client, persona):
    """The test client signed in as the persona of that name: signed_in_as("liaison")."""

    return lambda username: signed_in(client, persona(username))
