import pytest
import time_machine

from tests.board_world import NOW, World


@pytest.fixture
def world(db):
    """The board's world (tests/board_world.py), built at NOW."""
    with time_machine.travel(NOW, tick=False):
        yield World()
