"""A class missed its barometer "two weeks in a row" only when the missed weeks run on, one
after the other (holidays left out); missed weeks with a filed week between them are not a
run, however many there are in total (committees.barometer.check_missing)."""

import datetime

import pytest

from committees.barometer import services as barometer_services
from committees.models import Alert, BarometerSettings, CommitteeMember, Weather

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def friday_of(semester, week):
    """Friday 10:00 of a teaching week: the barometers of the weeks before it are due."""
    day = semester.week_start(week) + datetime.timedelta(days=4)
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)


@pytest.fixture
def filing(world):
    """The member of `cls` files week N on the Thursday of that week."""
    CommitteeMember.objects.create(
        semester=world.semester,
        school_class=world.cls,
        student=world.member_student,
        appointed_on=world.semester.first_monday,
    )

    def file(week):
        day = world.semester.week_start(week) + datetime.timedelta(days=3)
        when = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
        barometer_services.file_barometer(
            world.member,
            world.cls,
            world.semester,
            week,
            barometer_services.Filing(weather=Weather.SUNNY, nothing_to_report=True),
            now=when,
        )

    return file


def missing(world):
    return Alert.objects.filter(school=world.school, rule=Alert.Rule.MISSING)


def test_missed_weeks_with_a_filed_week_between_are_not_a_run(world, filing):
    assert BarometerSettings.for_school(world.school).missing_weeks == 2
    filing(2)  # missed week 1, files week 2, misses week 3: two missed, none in a row
    raised = barometer_services.check_missing(world.semester, friday_of(world.semester, 4))
    assert {a.school_class for a in raised} == {world.cls_b, world.other_cls, world.other_cls_b}
    assert not missing(world).filter(school_class=world.cls).exists()


def test_two_missed_weeks_running_across_a_holiday_raise_one_alert(world, filing):
    filing(2)
    # Week 5 is the National Day holiday: weeks 3 and 4 are the two last expected weeks.
    raised = barometer_services.check_missing(world.semester, friday_of(world.semester, 6))
    assert world.cls in {a.school_class for a in raised}
    alert = missing(world).get(school_class=world.cls)
    assert alert.grade == Alert.Grade.ORANGE and alert.week == 4
    assert barometer_services.check_missing(world.semester, friday_of(world.semester, 6)) == []
