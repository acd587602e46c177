"""The floor page exists only when the benchmarks switch it on, and only signed in."""

import pytest
from django.urls import reverse

from counseling.models import Role
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def test_floor_page_is_off_by_default(client, settings):
    settings.BENCHMARK_MODE = False
    client.force_login(RoleFactory(kind=Role.Kind.COUNSELOR).user)
    assert client.get(reverse("floor")).status_code == 404


def test_floor_page_when_enabled(client, settings):
    settings.BENCHMARK_MODE = True
    assert client.get(reverse("floor")).status_code == 302  # sign in first
    client.force_login(RoleFactory(kind=Role.Kind.COUNSELOR).user)
    assert client.get(reverse("floor")).status_code == 200
