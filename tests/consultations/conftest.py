import pytest
import time_machine
from django.core.cache import cache

from tests.consultations.world import NOW, World


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The booking rate limit lives in the cache, which outlives each test's transaction.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    return World()
