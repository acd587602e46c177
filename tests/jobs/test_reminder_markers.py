"""The barometer's sent-markers (ReminderLog keys) commit with the notifications they stand
for: a run that fails while sending a reminder leaves no key behind, so the next run (the
run's retry by reconcile_jobs) sends it, and once sent it is never sent again."""

import datetime

import pytest

from committees.barometer import services
from committees.barometer.models import ReminderLog
from counseling.models import Role
from counseling.notifications.models import Notification
from tests.committees.test_barometer_rules import World, at
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = World()
    RoleFactory(
        user=world.member.user,
        school=world.school,
        kind=Role.Kind.COMMITTEE_MEMBER,
        school_class=world.cls,
    )
    world.file(1)
    return world


def test_a_reminder_that_failed_to_send_is_sent_by_the_next_run(world, monkeypatch):
    # Week 2's deadline is Monday of week 3 at noon: the day before is Sunday.
    day_before = at(world.semester.week_start(3) - datetime.timedelta(days=1), 16)
    reminded = Notification.objects.filter(
        recipient=world.member.user, kind="committees.barometer_reminder"
    )

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away mid-run")

    with monkeypatch.context() as patch:
        patch.setattr(services, "notify", broken)
        with pytest.raises(RuntimeError):
            services.run_reminders(day_before)
    assert not ReminderLog.objects.exists() and not reminded.exists()
    services.run_reminders(day_before)
    assert reminded.count() == 1
    services.run_reminders(day_before)
    assert reminded.count() == 1
