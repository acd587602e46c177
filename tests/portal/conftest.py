"""The portal with tier 3 in it (tests/portal/tier3.py) as `world`, for this folder."""

import logging

import pytest

from tests.portal.tier3 import World


@pytest.fixture
def world(db, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    return World()


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Hundreds of 403s and 404s are expected: don't format a traceback for each."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)
