"""Reach rules that scripts/mutants.py found no test holding: each test here fails when its
rule is bent (the mutant named in its docstring)."""

import datetime

import pytest

from lectures.coverage import services
from lectures.models import ThemeEvent, ThemeMonth

pytestmark = pytest.mark.django_db


def theme_event(semester, day, classes):
    month = ThemeMonth.objects.create(
        school=semester.school, semester=semester, month=day, theme="525心理健康月"
    )
    event = ThemeEvent.objects.create(
        month=month, kind=ThemeEvent.Kind.TALK, title="心理讲座", date=day
    )
    event.classes.set(classes)
    return event


def test_a_theme_event_reaches_its_classes_in_its_own_semester_only(world):
    """reached-this-semester-only: last spring's theme month reaches nobody this autumn."""
    theme_event(world.previous, datetime.date(2026, 5, 25), [world.cls])
    assert world.cls.pk in services.classes_reached(world.previous)
    assert world.cls.pk not in services.classes_reached(world.semester)


def test_students_reached_counts_the_students_still_on_the_roll(world):
    """reach-counts-active-students: a student who left is neither on the roll nor reached."""
    theme_event(world.semester, datetime.date(2026, 10, 12), [world.cls])
    left = world.students[world.cls.pk][4]
    left.is_active = False
    left.save()
    figures = services.coverage(world.semester)
    on_roll = sum(len(s) for s in world.students.values()) - 1
    assert figures["students"] == on_roll
    assert figures["students_reached"] == len(world.students[world.cls.pk]) - 1
