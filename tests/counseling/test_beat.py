"""The periodic jobs: every beat entry names a registered task, and on a real worker
against Redis each reminder job does its work."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from committees.models import BarometerSettings, CommitteeMember, Meeting, ReminderLog
from counseling.celery import app as celery_app
from counseling.models import Role
from counseling.notifications.models import Notification
from tests.counseling.test_notifications_broker import (
    needs_redis_url,
    real_broker,
    wait_for,
    worker,
)
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

__all__ = ["real_broker"]  # a fixture, used by name below


# Tasks go to the real broker here, not inline (tests/conftest.py).
pytestmark = pytest.mark.broker


def test_every_beat_entry_names_a_registered_task():
    celery_app.loader.import_default_modules()
    names = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert names, "no periodic jobs configured"
    assert names <= set(celery_app.tasks), names - set(celery_app.tasks)


def _school_running_today():
    """A school whose semester is under way whatever day the tests run on."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    school = SchoolFactory()
    semester = SemesterFactory(
        school=school, first_monday=monday - datetime.timedelta(weeks=3), weeks=20
    )
    cls = SchoolClassFactory(department=DepartmentFactory(school=school))
    student = StudentFactory(school_class=cls, user=UserFactory())
    RoleFactory(user=student.user, school=school, kind=Role.Kind.COMMITTEE_MEMBER, school_class=cls)
    member = CommitteeMember.objects.create(
        semester=semester, school_class=cls, student=student, appointed_on=semester.first_monday
    )
    return school, semester, member


@needs_redis_url
@pytest.mark.django_db(transaction=True)
def test_reminder_jobs_run_on_a_real_worker(real_broker):
    school, semester, member = _school_running_today()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    meeting = Meeting.objects.create(
        semester=semester,
        kind=Meeting.Kind.MEETING,
        date=tomorrow,
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        place="报告厅",
    )
    # Make the barometer deadline of the week that ends before tomorrow fall tomorrow.
    rules = BarometerSettings.for_school(school)
    week = next(
        w
        for w in semester.teaching_weeks()
        if 0 <= (tomorrow - semester.week_start(w) - datetime.timedelta(days=7)).days <= 6
    )
    rules.deadline_weekday = (
        tomorrow - semester.week_start(week) - datetime.timedelta(days=7)
    ).days
    rules.save()

    with worker():
        for entry in settings.CELERY_BEAT_SCHEDULE.values():
            celery_app.send_task(entry["task"])
        assert wait_for(lambda: Meeting.objects.get(pk=meeting.pk).reminder_sent_at is not None)
        assert wait_for(
            lambda: ReminderLog.objects.filter(key=f"members:{semester.pk}:{week}").exists()
        )
    told = Notification.objects.filter(recipient=member.student.user)
    assert told.filter(kind="committees.meeting_reminder").count() == 1
    assert told.filter(kind="committees.barometer_reminder").count() == 1
