"""On PostgreSQL and Redis with a real Celery worker (CI): an export whose worker process
is killed while it makes the file is delivered again and finished, once.

Runs only when DATABASE_URL names PostgreSQL and REDIS_URL a Redis (use your own database
and Redis db); skipped on the embedded SQLite set-up."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings
from django.db import connection

from counseling.exports.models import ExportJob
from counseling.exports.tasks import run_export
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


def wait_for(check, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    return None


@pytest.fixture
def worker(tmp_path):
    from tests.exports import worker_app

    worker_app.register()  # the test process asks for the same exporter
    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "counseling.settings_test",
        "DATABASE_URL": (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EXPORT_TEST_DIR": str(tmp_path),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tests.exports.worker_app",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield queue, tmp_path
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_job_whose_worker_is_killed_is_made_once_by_the_next_delivery(worker):
    from tests.exports.worker_app import KEY

    queue, folder = worker
    school = SchoolFactory()
    job = ExportJob.objects.create(
        exporter=KEY,
        params={"school": school.pk},
        fingerprint=uuid.uuid4().hex,
        school=school,
        requested_by=UserFactory(),
    )
    run_export.apply_async(args=[job.pk], queue=queue)
    first = wait_for(lambda: (folder / "attempt-1").exists() and (folder / "attempt-1"), 90)
    assert first, "the worker never started the job"
    os.kill(int(first.read_text()), signal.SIGKILL)  # the pool process dies mid-file
    done = wait_for(
        lambda: ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).first(), 90
    )
    assert done, ExportJob.objects.get(pk=job.pk).status
    assert done.attempts == 2 and (folder / "attempt-2").exists()
    with done.file.open("rb") as handle:
        assert handle.read() == b"made after the worker died"
    # Delivered once more (a duplicate message): nothing is made again.
    run_export.apply_async(args=[job.pk], queue=queue)
    time.sleep(3)
    assert not (folder / "attempt-3").exists()
    assert ExportJob.objects.get(pk=job.pk).attempts == 2
