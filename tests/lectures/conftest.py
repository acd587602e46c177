"""Fixtures of the lectures-area tests: the shared world with the lectures office's things
(tests/lectures/world.py), a small school counted by hand, and a frozen clock."""

import pytest
import time_machine

from counseling.models import Role
from lectures.models import Venue
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolFactory,
    SemesterFactory,
)
from tests.lectures.world import NOW, activity_world, lecture_world, make_class


@pytest.fixture
def frozen():
    """Sunday 29 November 2026, 10:00 in Shanghai (week 13 of the semester)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def lw(world):
    """The shared world with venues, a lecture in sessions and an activity (world.py)."""
    return lecture_world(world)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def counted(db):
    """A small school counted by hand: two departments, five classes, 125 students.

    信息科: A (2026, 40), B (2026, 30), C (2025, 20); 机电科: D (2026, 25), E (2024, 10).
    """
    school = SchoolFactory()
    semester = SemesterFactory(school=school)  # 2026-08-31, 20 weeks
    it = DepartmentFactory(school=school, name="信息科")
    me = DepartmentFactory(school=school, name="机电科")
    classes = {
        "A": make_class(it, "A", 2026, 40),
        "B": make_class(it, "B", 2026, 30),
        "C": make_class(it, "C", 2025, 20),
        "D": make_class(me, "D", 2026, 25),
        "E": make_class(me, "E", 2024, 10),
    }
    counselor = RoleFactory(kind=Role.Kind.COUNSELOR, school=school).user
    hall = Venue.objects.create(school=school, name="Hall", capacity=100)
    room = Venue.objects.create(school=school, name="Room", capacity=45)
    return {
        "school": school,
        "semester": semester,
        "classes": classes,
        "counselor": counselor,
        "hall": hall,
        "room": room,
        "departments": (it, me),
    }


@pytest.fixture
def sign_in(client, world):
    """The test client signed in as a persona of the world, by name: sign_in("counselor")."""

    def sign(name):
        client.force_login(world.people()[name])
        return client

    return sign


@pytest.fixture
def aw(world):
    """The shared world with lecture_world's things and the three activity designs."""
    return activity_world(world)
