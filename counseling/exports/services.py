"""Asking for an export, making its file, and the reconciler's way back from a fault."""

import datetime
import hashlib
import json
import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import jobs
from counseling.errors import PortalError
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob

logger = logging.getLogger(__name__)

# Longer than the task's hard time limit: a job waiting or running this long has no task.
STUCK_SECONDS = 6 * 60
LEASE = "exports"


class JobBusy(Exception):
    """Another worker holds the job's lease: it is being made right now."""


def max_attempts():
    return getattr(settings, "JOBS_MAX_ATTEMPTS", 4)


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
    from counseling.exports.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception:  # the broker is away: the job stays waiting for reconcile_jobs
        logger.exception("could not queue export job %s", job_id)
        return False
    return True


def run(job_id):
    """Make the job's file, once. The worker claims the job under its lease: a second
    delivery while the first is at work raises JobBusy (its task looks again later); a job
    already done or given up is left alone; a job out of attempts (its worker died each
    time) is given up. Should two workers still race, the first to finish wins and the
    other's file is thrown away. Returns True when this call made the file."""
    lease = jobs.Lease(LEASE, job_id)
    if not lease.acquire():
        raise JobBusy(job_id)
    try:
        return _run_claimed(job_id)
    finally:
        lease.release()


def _run_claimed(job_id):
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            return False
        if job.attempts >= max_attempts():
            _give_up(job)
            return False
        job.status = ExportJob.Status.RUNNING
        job.attempts += 1
        job.started_at = timezone.now()
        job.save(update_fields=["status", "attempts", "started_at"])
    exporter = get_exporter(job.exporter)
    content, ext = exporter.build(job)
    name = f"{exporter.filename(job.params)}{ext}"
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job_id)
        if job.status == ExportJob.Status.DONE:
            return False
        job.file.save(f"export{ext}", ContentFile(content), save=False)
        job.filename = name[:200]
        job.status = ExportJob.Status.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "status", "error", "finished_at"])
    return True


def fail(job_id, error, *, final=False):
    """Note what went wrong. Final (asked for, or out of attempts): the job's page shows it
    with a retry button; else it waits for its retry. Returns whether it was final."""
    now = timezone.now()
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return True
        final = final or job.attempts >= max_attempts()
        job.status = ExportJob.Status.FAILED if final else ExportJob.Status.PENDING
        job.error = str(error)[:2000]
        job.finished_at = now if final else None
        if not final:
            job.queued_at = now  # its retry is on its way: not lost yet
        job.save(update_fields=["status", "error", "finished_at", "queued_at"])
    return final


def _give_up(job):
    job.status = ExportJob.Status.FAILED
    job.error = f"Given up after {job.attempts} attempts (the worker stopped each time)."
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])


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
                _give_up(job)
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


def attempts_of(job_id):
    return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0
