"""On PostgreSQL and Redis with real Celery workers (CI): a whole worker killed (-9) in the
middle of a beat task's run, and in the middle of sending a notification. The run is
finished once by the next worker after reconcile_jobs, never run beside a live one; the
delivery's killed attempt is counted, so its bounded retries still end."""

import datetime
import io
import os
import signal
import time

from django.core.management import call_command
from django.utils import timezone

from counseling.notifications.models import Delivery, Notification
from counseling.notifications.tasks import deliver
from counseling.scheduled.models import ScheduledRun
from tests.exports.test_export_worker import wait_for
from tests.exports.test_reconcile_worker import pytestmark, queue, worker_process
from tests.factories import UserFactory
from tests.jobs.worker_app import SLOW_BEAT, slow_beat

__all__ = ["pytestmark", "queue"]  # the broker marks and the fixture, used by name

APP = "tests.jobs.worker_app"


def reconcile(kind):
    out = io.StringIO()
    call_command("reconcile_jobs", "--only", kind, stdout=out)
    return out.getvalue()


def kill(process):
    os.killpg(process.pid, signal.SIGKILL)  # the main process and its child at once
    process.wait(timeout=10)


def files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_run_whose_worker_was_killed_is_finished_once_by_the_next(queue, tmp_path):
    ScheduledRun.objects.filter(task=SLOW_BEAT).delete()
    with worker_process(queue, tmp_path, app=APP) as process:
        slow_beat.apply_async()
        assert wait_for(lambda: (tmp_path / "beat-1").exists(), 90)
        slow_beat.apply_async()  # beat restarted: the day's message again
        time.sleep(3)
        kill(process)
    run = ScheduledRun.objects.get(task=SLOW_BEAT)
    assert run.status == ScheduledRun.Status.RUNNING and run.attempts == 1
    assert wait_for(lambda: "1 queued again" in reconcile("scheduled"), 30)
    with worker_process(queue, tmp_path, app=APP):
        done = wait_for(lambda: ScheduledRun.objects.filter(pk=run.pk, status="done").first(), 90)
        time.sleep(3)  # the second beat message, if it is still to come, does nothing
    assert done and done.attempts == 2 and done.result == 2
    assert files(tmp_path) == ["beat-1", "beat-2"]
    assert ScheduledRun.objects.filter(task=SLOW_BEAT).count() == 1


def test_a_delivery_killed_mid_send_has_used_its_attempt(queue, tmp_path, monkeypatch):
    monkeypatch.setenv("SLOW_EMAIL", "1")
    # Others' pending deliveries (the demo's) are not this test's to count.
    Delivery.objects.filter(status=Delivery.Status.PENDING).update(
        status=Delivery.Status.FAILED, next_attempt_at=None
    )
    user = UserFactory(email="teacher@example.edu.cn")
    note = Notification.objects.create(recipient=user, kind="tests.kind", title="hi")
    delivery = Delivery.objects.create(
        notification=note, channel=Delivery.Channel.EMAIL, next_attempt_at=timezone.now()
    )
    with worker_process(queue, tmp_path, app=APP) as process:
        deliver.apply_async(args=[delivery.pk])
        assert wait_for(lambda: (tmp_path / f"mail{delivery.pk}-1").exists(), 90)
        kill(process)
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.status == Delivery.Status.PENDING
    assert delivery.next_attempt_at > timezone.now()  # due again after the backoff
    Delivery.objects.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)  # the backoff is over
    )
    assert "1 queued again" in reconcile("notifications")
    with worker_process(queue, tmp_path, app=APP):
        sent = wait_for(lambda: Delivery.objects.filter(pk=delivery.pk, status="sent").first(), 90)
    assert sent and sent.attempts == 2
    assert files(tmp_path) == [f"mail{delivery.pk}-1", f"mail{delivery.pk}-2"]
