"""reconcile_jobs over the export jobs: a job whose task was lost is queued again, one
whose worker died is made by the next attempt, one out of attempts is given up, and a
young or healthy job is left alone. Tasks run inline here; the worker and broker side is
tests/exports/test_reconcile_worker.py."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from counseling import jobs
from counseling.exports.models import ExportJob
from counseling.exports.services import STUCK_SECONDS, request_export
from counseling.exports.worker import run
from tests.exports.test_export_service import BUILDS, world

__all__ = ["world"]  # a fixture, used by name below

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _only_this_worlds_jobs(db):
    """The reconciler looks at every job, and these tests count only the jobs they make:
    any made before the test (by another fixture, or the session's data) would look stuck
    minutes later in a serial run. Removed here, inside the test's own transaction."""
    ExportJob.objects.all().delete()


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


def lost(world, n=1):
    """A job whose task never reached a worker (the queue was lost)."""
    with TestCase.captureOnCommitCallbacks(execute=False):
        return request_export(world.counselor, "tests.counter", {"n": n})


def reconcile(*args):
    # Exports only: other kinds' rows are not these tests' business.
    out = io.StringIO()
    call_command("reconcile_jobs", "--only", "exports", *args, stdout=out)
    return out.getvalue()


def test_a_job_whose_task_was_lost_is_queued_again(world, settings):
    job = lost(world)
    young = lost(world, n=2)
    ExportJob.objects.filter(pk=job.pk).update(queued_at=ago(settings.JOBS_PENDING_SECONDS + 1))
    assert "exports: 1 stuck, 1 queued again" in reconcile()
    job.refresh_from_db()
    young.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and BUILDS == [job.pk]
    assert young.status == ExportJob.Status.PENDING  # its task may still be on its way
    assert reconcile() == ""  # nothing left: a second run does nothing


def test_a_dry_run_changes_nothing(world, settings):
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(queued_at=ago(settings.JOBS_PENDING_SECONDS + 1))
    assert "exports: 1 stuck, 0 queued again" in reconcile("--dry-run")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.PENDING and BUILDS == []


def test_a_job_left_running_by_a_dead_worker_is_made_once_more(world):
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, attempts=1, started_at=ago(STUCK_SECONDS + 1)
    )
    reconcile()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 2


def test_a_running_job_is_left_alone_while_its_worker_may_be_at_it(world, settings):
    """Without leases to look at (SQLite), only the task's hard time limit says the worker
    is gone; on PostgreSQL a free lease says it sooner (the worker test)."""
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        attempts=1,
        started_at=ago(settings.JOBS_RUNNING_GRACE_SECONDS + 1),
    )
    if jobs.lease_held("exports", job.pk) is None:
        assert reconcile() == ""
        assert ExportJob.objects.get(pk=job.pk).status == ExportJob.Status.RUNNING


def test_a_job_out_of_attempts_is_given_up_not_queued_for_ever(world, settings):
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING,
        attempts=settings.JOBS_MAX_ATTEMPTS,
        started_at=ago(STUCK_SECONDS + 1),
    )
    assert "1 given up" in reconcile()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "Given up after" in job.error
    assert BUILDS == []


def test_a_delivery_of_a_job_out_of_attempts_gives_it_up(world, settings):
    """A file that kills its worker each time comes back by acks_late's redelivery: the
    claim counts the attempts and stops it."""
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, attempts=settings.JOBS_MAX_ATTEMPTS
    )
    assert run(job.pk) is False
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and BUILDS == []


def test_asking_again_after_giving_up_gives_fresh_attempts(world, settings):
    job = lost(world)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, attempts=settings.JOBS_MAX_ATTEMPTS
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        request_export(world.counselor, "tests.counter", {"n": 1})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.attempts == 1


def test_stuck_jobs_show_on_healthz_until_reconciled(world, client, settings):
    job = lost(world)
    assert jobs.kinds() and {k.name for k in jobs.kinds()} >= {"exports", "notifications"}
    ExportJob.objects.filter(pk=job.pk).update(queued_at=ago(settings.HEALTHZ_STUCK_SECONDS + 1))
    body = client.get("/healthz").json()
    assert body["checks"]["stuck_jobs"]["exports"] == 1
    reconcile()
    assert client.get("/healthz").json()["checks"]["stuck_jobs"]["exports"] == 0
