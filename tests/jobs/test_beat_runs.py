"""Beat's runs as rows (counseling.scheduled): a beat task sent twice for a day (beat
restarted, a message delivered twice) runs once; a run whose worker died is sent again by
reconcile_jobs, and given up once out of attempts; a run held by a live worker is left
to it. Tasks run inline; the drill with a real beat is ops/drills/beat_restart.sh."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from consultations.booking import services as booking
from consultations.tasks import send_booking_reminders
from counseling.notifications.models import Notification
from counseling.scheduled import services
from counseling.scheduled.models import ScheduledRun
from tests.consultations.test_booking import book
from tests.consultations.world import NOW, THURSDAY, World
from tests.jobs.leases import held_elsewhere

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

TASK = "consultations.send_booking_reminders"


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield World()


def confirmed_booking(world):
    found = book(world)
    booking.confirm(world.counselor, found)
    mail.outbox.clear()
    Notification.objects.all().delete()
    return found


def left_running(attempts=1):
    """Today's run, claimed long ago by a worker (dead, unless a test holds its lease)."""
    return ScheduledRun.objects.create(
        task=TASK,
        slot=NOW.date(),
        status=ScheduledRun.Status.RUNNING,
        attempts=attempts,
        started_at=ago(services.STUCK_SECONDS + 1),
    )


def reminders():
    return Notification.objects.filter(kind="consultations.booking_reminder").count()


def reconcile():
    out = io.StringIO()
    call_command("reconcile_jobs", "--only", "scheduled", stdout=out)
    return out.getvalue()


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


def test_a_beat_task_sent_twice_for_a_day_runs_once(world, django_capture_on_commit_callbacks):
    confirmed_booking(world)
    with django_capture_on_commit_callbacks(execute=True):
        send_booking_reminders.delay()
        send_booking_reminders.delay()  # beat restarted, or the message came twice
    run = ScheduledRun.objects.get(task=TASK)
    assert run.slot == NOW.date() and run.status == ScheduledRun.Status.DONE
    assert run.attempts == 1 and run.result == 1
    assert reminders() == 2  # the student and the counselor, once each


def test_the_run_is_once_per_day_whatever_the_reminders_say(world):
    # The row alone stops a second run: a reminder without a sent-marker is not sent twice.
    calls = []
    services.run("tests.beat", calls.append, today=NOW.date())
    services.run("tests.beat", calls.append, today=NOW.date())
    services.run("tests.beat", calls.append, today=THURSDAY)
    assert calls == [NOW.date(), THURSDAY]
    assert ScheduledRun.objects.filter(task="tests.beat").count() == 2


def test_a_run_whose_worker_died_is_sent_again_and_reminds_of_its_own_day(
    world, django_capture_on_commit_callbacks
):
    confirmed_booking(world)
    dead = left_running()
    # The next morning: the run still reminds of the day after its own day.
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert "scheduled: 1 stuck, 1 queued again" in reconcile()
    dead.refresh_from_db()
    assert dead.status == ScheduledRun.Status.DONE and dead.attempts == 2
    assert reminders() == 2
    assert reconcile() == ""


def test_a_run_that_kills_its_worker_each_time_is_given_up(world, settings):
    dead = left_running(attempts=settings.JOBS_MAX_ATTEMPTS)
    assert "1 stuck, 0 queued again, 1 given up" in reconcile()
    dead.refresh_from_db()
    assert dead.status == ScheduledRun.Status.FAILED and dead.finished_at


def test_a_failed_run_waits_for_its_retry_and_then_runs(
    world, settings, django_capture_on_commit_callbacks
):
    confirmed_booking(world)

    def breaks(day):
        raise RuntimeError("the database went away")

    run = services.run(TASK, breaks, today=NOW.date())
    assert run.status == ScheduledRun.Status.PENDING and "went away" in run.error
    assert reconcile() == ""  # its retry is not due yet
    ScheduledRun.objects.filter(pk=run.pk).update(queued_at=ago(settings.JOBS_PENDING_SECONDS + 1))
    with django_capture_on_commit_callbacks(execute=True):
        assert "scheduled: 1 stuck, 1 queued again" in reconcile()  # the real task, by name
    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.DONE and run.attempts == 2 and run.error == ""
    assert reminders() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="leases are PostgreSQL's")
def test_a_run_held_by_a_live_worker_is_left_to_it(world):
    run = left_running()
    with held_elsewhere(services.LEASE, run.pk):
        calls = []
        services.run(TASK, calls.append, run_id=run.pk)  # a second delivery meanwhile
        assert calls == []
        assert reconcile() == ""
    run.refresh_from_db()
    assert run.status == ScheduledRun.Status.RUNNING and run.attempts == 1
