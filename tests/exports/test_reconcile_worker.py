"""On PostgreSQL and Redis with real Celery workers (CI): the queue lost, the whole worker
killed, and a second delivery while the first is at work. reconcile_jobs brings every job
back, and each file is made once.

Runs only when DATABASE_URL names PostgreSQL and REDIS_URL a Redis (use your own database
and Redis db); skipped on the embedded SQLite set-up."""

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
import redis
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from counseling import jobs
from counseling.exports.models import ExportJob
from counseling.exports.tasks import run_export
from tests.counseling.test_notifications_broker import REDIS_URL, celery_publishing_to
from tests.exports.test_export_worker import wait_for
from tests.factories import SchoolFactory, UserFactory

pytestmark = [
    pytest.mark.broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL")
        or not os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL), as CI has",
    ),
]


@contextlib.contextmanager
def worker_process(queue, folder, app="tests.exports.worker_app"):
    """A prefork worker in its own process group (so that a test can kill all of it)."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "counseling.settings_test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EXPORT_TEST_DIR": str(folder),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", app, "worker"]
        + ["--pool=prefork", "--concurrency=1", "-Q", queue, "--without-gossip"]
        + ["--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
def queue(settings):
    from tests.exports import worker_app

    worker_app.register()  # the test process asks for the same exporters
    # Jobs the test did not make (the session's data, if any) are not this test's to count.
    ExportJob.objects.exclude(status=ExportJob.Status.DONE).update(status=ExportJob.Status.FAILED)
    settings.JOBS_PENDING_SECONDS = 0
    settings.JOBS_RUNNING_GRACE_SECONDS = 0
    with celery_publishing_to(REDIS_URL) as name:
        yield name


def new_job(key):
    school = SchoolFactory()
    return ExportJob.objects.create(
        exporter=key,
        params={"school": school.pk, "n": uuid.uuid4().hex},
        fingerprint=uuid.uuid4().hex,
        school=school,
        requested_by=UserFactory(),
    )


def reconcile():
    out = io.StringIO()
    call_command("reconcile_jobs", "--only", "exports", stdout=out)
    return out.getvalue()


def test_jobs_lost_with_the_queue_are_made_after_reconcile(queue, tmp_path):
    from tests.exports.worker_app import QUICK

    made = [new_job(QUICK) for _ in range(3)]
    for job in made:
        run_export.apply_async(args=[job.pk])
    client = redis.Redis.from_url(REDIS_URL)
    assert client.llen(queue) == 3
    client.delete(queue)  # what a Redis restart without persistence does to the queue
    with worker_process(queue, tmp_path):
        time.sleep(3)
        assert ExportJob.objects.filter(status=ExportJob.Status.PENDING).count() == 3
        assert "3 stuck, 3 queued again" in reconcile()
        assert wait_for(
            lambda: ExportJob.objects.filter(status=ExportJob.Status.DONE).count() == 3, 90
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"quick-{job.pk}-1" for job in made)


def test_a_job_whose_whole_worker_was_killed_is_made_once_by_the_next(queue, tmp_path):
    from tests.exports.worker_app import KEY

    job = new_job(KEY)
    with worker_process(queue, tmp_path) as process:
        run_export.apply_async(args=[job.pk])
        assert wait_for(lambda: (tmp_path / "attempt-1").exists(), 90)
        os.killpg(process.pid, signal.SIGKILL)  # the main process and its child at once
        process.wait(timeout=10)
    # The message is unacknowledged in Redis and hidden for the visibility timeout (an
    # hour): nothing comes back by itself. The lease went with the dead session.
    assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING
    assert wait_for(lambda: "1 queued again" in reconcile(), 30)
    with worker_process(queue, tmp_path):
        done = wait_for(
            lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).first(), 90
        )
    assert done and done.attempts == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["attempt-1", "attempt-2"]


def test_a_second_delivery_waits_while_a_live_worker_holds_the_job(queue, tmp_path):
    """The lease held (here by the test's own session, as a live worker would hold it):
    the reconciler leaves the running job alone and a delivery backs off; once it is
    free, the next look makes the file, once."""
    from tests.exports.worker_app import QUICK

    job = new_job(QUICK)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, attempts=1)
    lease = jobs.Lease("exports", job.pk)
    assert lease.acquire()
    try:
        assert jobs.lease_held("exports", job.pk) is True
        assert reconcile() == ""
        with worker_process(queue, tmp_path):
            run_export.apply_async(args=[job.pk])
            time.sleep(6)
            assert list(tmp_path.iterdir()) == []  # busy: not made beside the holder
            lease.release()
            done = wait_for(
                lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).first(),
                60,
            )
    finally:
        lease.release()
    assert done and done.attempts == 2
    assert [p.name for p in tmp_path.iterdir()] == [f"quick-{job.pk}-2"]
