"""Barometer rules that scripts/mutants.py found no test holding: each test here fails when
its rule is bent (the mutant named in its docstring)."""

import datetime

import pytest

from committees.barometer import services
from committees.models import Alert, BarometerSettings, CommitteeMember, ConcernKind, Weather

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


@pytest.fixture
def config(world):
    """The default thresholds, written out: the tests count weeks against them."""
    settings = BarometerSettings.for_school(world.school)
    settings.named_member_weeks, settings.named_task_weeks = 2, 3
    settings.save()
    return settings


@pytest.fixture
def file(world, config):
    """The member of `cls` files week N, on the Thursday of that week unless `when` says."""
    CommitteeMember.objects.create(
        semester=world.semester,
        school_class=world.cls,
        student=world.member_student,
        appointed_on=world.semester.first_monday,
    )

    def file(week, weather=Weather.SUNNY, *, named=(), when=None, **extra):
        if when is None:
            day = world.semester.week_start(week) + datetime.timedelta(days=3)
            when = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
        filing = services.Filing(
            weather=weather,
            students=[(s, ConcernKind.STUDY, "watch", "说明") for s in named],
            **extra,
        )
        return services.file_barometer(
            world.member, world.cls, world.semester, week, filing, now=when
        )[0]

    return file


def alerts(world, rule):
    return Alert.objects.filter(school=world.school, rule=rule)


def test_a_student_named_one_week_past_the_counselor_task_becomes_a_case(world, file):
    """named-case-boundary: the case (red) comes the week after the counselor task, not later."""
    student = world.students[world.cls.pk][3]
    for week in (1, 2, 3):
        file(week, named=[student])
    assert alerts(world, Alert.Rule.NAMED_TASK).exists()
    assert not alerts(world, Alert.Rule.NAMED_CASE).exists()
    file(4, named=[student])
    assert alerts(world, Alert.Rule.NAMED_CASE).get().grade == Alert.Grade.RED


def test_the_fidelity_check_waits_for_six_sunny_weeks_however_few_are_filed(world, file):
    """fidelity-weeks: three all-sunny weeks are too few to doubt, even with a student's
    alert open (here from an immediate report, so that no filed week names anyone)."""
    student = world.students[world.cls.pk][3]
    services.immediate_report(world.member, world.cls, world.semester, student, "情绪激动")
    for week in (1, 2, 3):
        file(week, nothing_to_report=True)
    assert not alerts(world, Alert.Rule.FIDELITY).exists()


def test_a_barometer_filed_a_minute_after_its_deadline_is_late(world, file, config):
    """late-boundary: late is any time after the deadline, and the deadline itself is on time."""
    deadline = config.deadline(world.semester, 1)
    assert not file(1, when=deadline).late
    assert file(2, when=config.deadline(world.semester, 2) + datetime.timedelta(minutes=1)).late
