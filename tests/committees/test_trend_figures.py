"""The school trend's figures are counted by the database per department and week: they
must equal what the per-(class, week) coverage and the weather distribution give, and the
page must keep its queries as the school grows."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer.services import coverage, school_figures
from committees.models import Barometer
from tests.board_world import NOW, World


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield World()


def recomputed(world):
    cover = coverage(world.semester)
    distribution = Barometer.objects.filter(
        semester=world.semester, school_class__is_active=True
    ).weather_distribution()
    return cover, distribution


def assert_same(world):
    counted, distribution = school_figures(world.semester)
    cover, expected_distribution = recomputed(world)
    assert counted.total() == cover.total()
    assert counted.by_week() == cover.by_week()
    assert counted.by_department() == cover.by_department()
    assert distribution == expected_distribution


def test_counted_figures_equal_the_pairs_on_time_late_away_and_inactive(world):
    first, second, third, fourth = world.classes
    world.file(first, 1, weather=2)
    world.file(first, 2, weather=4, late=True)
    world.file(second, 2, weather=4)
    world.file(world.elsewhere, 12, weather=5, late=True)
    world.file(third, 13, weather=3)  # the open week: in the weather, not in the coverage
    # An excused week is neither expected nor counted as filed, even when filed anyway.
    world.away(fourth, 6, 8)
    world.file(fourth, 7, weather=3)
    world.file(fourth, 9, weather=1, late=True)
    assert_same(world)
    counted, _ = school_figures(world.semester)
    assert counted.by_week()[7]["expected"] == 4
    assert counted.by_week()[7]["filed"] == 0
    assert counted.by_department()[world.department.pk]["on_time"] == 2


def test_an_inactive_class_is_left_out_of_every_figure(world):
    gone = world.classes[0]
    world.file(gone, 3, weather=5)
    gone.is_active = False
    gone.save()
    assert_same(world)
    counted, distribution = school_figures(world.semester)
    assert counted.by_week()[3] == {
        "expected": 4,
        "filed": 0,
        "on_time": 0,
        "completeness": 0.0,
        "timeliness": 0.0,
    }
    assert 3 not in distribution


def test_counted_figures_equal_the_pairs_for_a_bulk_school(world):
    world.bulk_classes(45, prefix="数")
    world.bulk_classes(12, prefix="乙数", department=world.other_department)
    assert_same(world)


def test_the_school_trend_keeps_its_queries_as_the_school_grows(client, world):
    client.force_login(world.counselor)
    client.get(reverse("committees:school-trend"))  # warm-up: session, settings row
    world.file(world.classes[0], 4, weather=2)
    world.away(world.classes[1], 3, 4)  # an absence costs one query: at both sizes
    with CaptureQueriesContext(connection) as few:
        small = client.get(reverse("committees:school-trend"))
    world.bulk_classes(60, prefix="趋")
    world.bulk_classes(20, prefix="乙趋", department=world.other_department)
    with CaptureQueriesContext(connection) as many:
        large = client.get(reverse("committees:school-trend"))
    assert small.status_code == large.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    departments = {d.pk: cover for d, cover, _ in large.context["departments"]}
    assert departments == coverage(world.semester).by_department()
    assert departments[world.other_department.pk]["expected"] == 21 * 11 - 2 * 3
