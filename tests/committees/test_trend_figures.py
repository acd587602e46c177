"""The coverage is counted by the database (per department and week, per class and week):
it must equal a count by hand of (class, week) pairs, leave excused weeks out of what is
expected and filed, and the school page must keep its queries as the school grows."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer.services import coverage, due_weeks, school_figures
from committees.board.queries import build_week_board
from committees.models import Barometer, ClassAbsence
from counseling.models import SchoolClass
from tests.board_world import DUE, NOW, World


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield World()


def _rates(n, filed, on_time):
    return {
        "expected": n,
        "filed": filed,
        "on_time": on_time,
        "completeness": filed / n if n else None,
        "timeliness": on_time / n if n else None,
    }


def by_hand(world):
    """Total, by week, by department and by class, from (class, week) pairs walked one by
    one: the rule written out plainly, to check the counted figures against."""
    semester = world.semester
    classes = list(SchoolClass.objects.filter(department__school=world.school, is_active=True))
    absences = list(ClassAbsence.objects.all())
    weeks = [w for w in due_weeks(semester) if semester.is_teaching_week(w)]
    filed = {
        (b.school_class_id, b.week): b.late for b in Barometer.objects.filter(semester=semester)
    }
    groups = {"total": {}, "week": {}, "department": {}, "class": {}}
    for cls in classes:
        for week in weeks:
            if any(a.school_class_id == cls.pk and a.covers_week(semester, week) for a in absences):
                continue
            keys = {"total": None, "week": week, "department": cls.department_id, "class": cls.pk}
            for name, key in keys.items():
                row = groups[name].setdefault(key, [0, 0, 0])
                row[0] += 1
                if (cls.pk, week) in filed:
                    row[1] += 1
                    row[2] += not filed[(cls.pk, week)]
    return {
        name: {k: _rates(*row) for k, row in sorted(rows.items(), key=lambda kv: str(kv[0]))}
        for name, rows in groups.items()
    }


def assert_same(world):
    cover, distribution = school_figures(world.semester)
    expected = by_hand(world)
    assert cover.total() == expected["total"].get(None, _rates(0, 0, 0))
    assert cover.by_week() == expected["week"]
    assert cover.by_department() == expected["department"]
    assert cover.by_class() == expected["class"]
    assert distribution == (
        Barometer.objects.filter(
            semester=world.semester, school_class__is_active=True
        ).weather_distribution()
    )


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
    assert departments == by_hand(world)["department"]
    assert departments[world.other_department.pk]["expected"] == 21 * 11 - 2 * 3


def test_an_excused_week_is_not_expected_for_any_caller(world):
    """Internship weeks 6 to 8 excuse the class: three fewer expected weeks in the total,
    the class, its department and those weeks, and the board shows it not expected. Its
    filing during the internship counts for nothing."""
    away = world.classes[0]
    world.away(away, 6, 8)
    world.file(away, 7)
    everyone = len(world.classes) + 1
    cover = coverage(world.semester)
    assert cover.total()["expected"] == everyone * len(DUE) - 3
    assert cover.total()["filed"] == 0
    assert cover.by_week()[7]["expected"] == everyone - 1
    assert cover.by_class()[away.pk]["expected"] == len(DUE) - 3
    assert cover.by_department()[world.department.pk]["expected"] == (everyone - 1) * len(DUE) - 3
    assert (away.pk, 7) not in cover.expected and (away.pk, 9) in cover.expected
    mine = coverage(world.semester, [away])
    assert mine.total() == _rates(len(DUE) - 3, 0, 0)
    assert mine.of_class(away.pk, [6, 7, 8, 9]) == _rates(1, 0, 0)
    board = build_week_board(world.semester, world.classes, 7)
    assert board.coverage["expected"] == len(world.classes) - 1
    assert board.coverage["filed"] == 0
    assert board.rows[0].state == "filed"  # filed anyway: shown, but not counted
    assert board.counts["not_expected"] == 0
