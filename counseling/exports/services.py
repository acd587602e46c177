"""Asking for an export, and the reconciler's way back from a fault (making the file:
`worker`, which the task imports)."""

import datetime
import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper
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
        # Stuck or not is read with the row, from the reconciler's own definition.
        deadline = datetime.timedelta(seconds=STUCK_SECONDS)
        job = (
            ExportJob.objects.select_for_update()
            .filter(fingerprint=print_)
            .annotate(
                stuck=ExpressionWrapper(
                    jobs.stuck_q(timezone.now(), deadline, deadline), output_field=BooleanField()
                )
            )
            .first()
        )
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
        elif job.stuck:
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


def enqueue(job_id):
    try:
        run_export.delay(job_id)
    except Exception:  # the broker is away: the job stays waiting for reconcile_jobs
        logger.exception("could not queue export job %s", job_id)
        return False
    return True


# The reconciler (reconcile_jobs).

ROWS = jobs.RowJobs(
    model=ExportJob,
    lease=LEASE,
    dead_seconds=STUCK_SECONDS,
    max_attempts=max_attempts,
    give_up=give_up,
    enqueue=lambda job: enqueue(job.pk),
)


def reconcile(dry_run=False, limit=500):
    return jobs.reconcile_rows(ROWS, dry_run=dry_run, limit=limit)


def count_stuck():
    return jobs.count_stuck_rows(ExportJob)
