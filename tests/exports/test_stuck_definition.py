"""One definition of a stuck export job (counseling.jobs.stuck_q): the reconciler, /healthz
and a person asking for the same export again read it alike. A failed attempt's retry is
waiting from when it was queued, not from when the attempt started."""

import datetime

import pytest
from django.test import TestCase
from django.utils import timezone

from counseling.exports.models import ExportJob
from counseling.exports.services import STUCK_SECONDS, request_export
from tests.exports.test_export_service import BUILDS, world

__all__ = ["world"]  # a fixture, used by name below

pytestmark = pytest.mark.django_db


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


def ask_again(world):
    """The same request once more; returns whether it queued a task."""
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        request_export(world.counselor, "tests.counter", {"n": 1})
    return bool(callbacks)


@pytest.fixture
def job(world):
    with TestCase.captureOnCommitCallbacks(execute=False):
        return request_export(world.counselor, "tests.counter", {"n": 1})


def test_a_retry_waiting_after_a_long_attempt_is_not_queued_again(world, job):
    # The attempt started long ago and failed; its retry went out a moment ago.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.PENDING,
        attempts=1,
        started_at=ago(STUCK_SECONDS + 60),
        queued_at=ago(5),
    )
    assert not ask_again(world)
    assert BUILDS == []


def test_a_job_waiting_past_the_deadline_is_queued_again_by_its_request(world, job):
    ExportJob.objects.filter(pk=job.pk).update(queued_at=ago(STUCK_SECONDS + 1))
    assert ask_again(world)


def test_a_job_running_past_the_deadline_is_queued_again_by_its_request(world, job):
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, attempts=1, started_at=ago(STUCK_SECONDS + 1)
    )
    assert ask_again(world)


def test_a_young_running_job_is_left_to_its_worker(world, job):
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, attempts=1, started_at=ago(60), queued_at=ago(60)
    )
    assert not ask_again(world)


def test_healthz_counts_the_same_jobs_as_stuck(world, job, settings):
    from counseling.exports.services import count_stuck

    settings.HEALTHZ_STUCK_SECONDS = STUCK_SECONDS
    ExportJob.objects.exclude(pk=job.pk).delete()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.PENDING, started_at=ago(STUCK_SECONDS + 60), queued_at=ago(5)
    )
    assert count_stuck() == 0 and not ask_again(world)
    ExportJob.objects.filter(pk=job.pk).update(queued_at=ago(STUCK_SECONDS + 1))
    assert count_stuck() == 1 and ask_again(world)
