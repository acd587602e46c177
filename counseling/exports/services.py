"""Asking for an export, and the reconciler's way back from a fault (making the file:
`worker`, which the task imports)."""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import jobs
from counseling.errors import PortalError
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob
from counseling.exports.tasks import run_export
from counseling.exports.worker import LEASE, give_up, max_attempts

logger = logging.getLogger(__name__)

# Longer than the task's hard time limit: a job waiting or running this long has no task.
STUCK_SECONDS = 6 * 60


def fingerprint(key, identity):
    payload = json.dumps([key, identity], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def request_export(user, key, params):
    """The job for this request: an existing one when the same request was made before
    (one file for both), else a new one, queued once the transaction commits. A failed
    job asked for again is tried again."""
    exporter = get_exporter(key)
    if not exporter.allows(user, params):
        raise PortalError("export_forbidden", _("You may not download this."))
    print_ = fingerprint(key, exporter.identity_of(user, params))
    queue = False
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(fingerprint=print_).first()
        if job is None:
            try:
                with transaction.atomic():
                    job = ExportJob.objects.create(
                        exporter=key,
                        params=params,
                        fingerprint=print_,
                        school=exporter.school_of(params),
                        requested_by=user,
                        shared=exporter.shared,
                        queued_at=timezone.now(),
                    )
                queue = True
            except IntegrityError:
                # The same request at the same moment: use the other's row.
                job = ExportJob.objects.select_for_update().get(fingerprint=print_)
        elif job.status != ExportJob.Status.DONE and _stuck(job):
            # Never queued (the broker was away) or its worker is long gone: queue it again.
            job.queued_at = timezone.now()
            job.save(update_fields=["queued_at"])
            queue = True
        elif job.status == ExportJob.Status.FAILED:
            # Asked for again by a person: a fresh set of attempts.
            job.status = ExportJob.Status.PENDING
            job.error = ""
            job.attempts = 0
            job.queued_at = timezone.now()
            job.save(update_fields=["status", "error", "attempts", "queued_at"])
            queue = True
        if queue:
            transaction.on_commit(lambda pk=job.pk: enqueue(pk))
    return job


def _stuck(job):
    if job.status == ExportJob.Status.FAILED:
        return False
    since = job.started_at or job.queued_at or job.created_at
    return since < timezone.now() - datetime.timedelta(seconds=STUCK_SECONDS)


def enqueue(job_id):
    try:
        run_export.delay(job_id)
    except Exception:  # the broker is away: the job stays waiting for reconcile_jobs
        logger.exception("could not queue export job %s", job_id)
        return False
    return True


# The reconciler (reconcile_jobs).


def _stuck_q(now, waited, ran):
    """Waiting jobs whose task went out `waited` ago, running ones started `ran` ago."""
    waiting = Q(status=ExportJob.Status.PENDING) & (
        Q(queued_at__lt=now - waited) | Q(queued_at__isnull=True, created_at__lt=now - waited)
    )
    return waiting | Q(status=ExportJob.Status.RUNNING, started_at__lt=now - ran)


def reconcile(dry_run=False, limit=500):
    """Queue again the jobs whose task was lost (the broker lost its queue, or a worker
    died holding it); give up those out of attempts.

    Waiting: its task went out JOBS_PENDING_SECONDS ago and no worker started it. Running:
    started JOBS_RUNNING_GRACE_SECONDS ago (time for acks_late's redelivery to come first)
    and its lease is free, so its worker is gone; where leases cannot be seen, only once
    it is older than the task's hard time limit. A duplicate task is harmless: the claim
    makes the file once.
    """
    now = timezone.now()
    waited = datetime.timedelta(seconds=getattr(settings, "JOBS_PENDING_SECONDS", 120))
    grace = datetime.timedelta(seconds=getattr(settings, "JOBS_RUNNING_GRACE_SECONDS", 60))
    dead = now - datetime.timedelta(seconds=STUCK_SECONDS)
    ids = list(
        ExportJob.objects.filter(_stuck_q(now, waited, grace))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = jobs.Reconciled()
    broker_away = False
    for pk in ids:
        with transaction.atomic():
            # skip_locked: a worker claiming it right now holds the row; it is not stuck.
            job = (
                ExportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=[ExportJob.Status.PENDING, ExportJob.Status.RUNNING])
                .first()
            )
            if job is None:
                continue
            if job.status == ExportJob.Status.RUNNING:
                alive = jobs.lease_held(LEASE, pk)
                if alive or (alive is None and job.started_at >= dead):
                    continue
            result.stuck += 1
            if dry_run:
                continue
            if job.attempts >= max_attempts():
                give_up(job)
                result.failed += 1
                continue
            job.status = ExportJob.Status.PENDING
            job.queued_at = timezone.now()
            job.save(update_fields=["status", "queued_at"])
        if broker_away or not enqueue(pk):
            broker_away = True  # one timeout is enough: the rest waits for the next run
            result.waiting += 1
        else:
            result.requeued += 1
    if result.stuck:
        logger.warning("reconcile_jobs: export jobs %s", result)
    return result


def count_stuck():
    """Jobs that have waited or run long past what the reconciler allows: /healthz."""
    age = datetime.timedelta(seconds=settings.HEALTHZ_STUCK_SECONDS)
    return ExportJob.objects.filter(_stuck_q(timezone.now(), age, age)).count()
