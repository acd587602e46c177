"""Asking for an export: the service's entry point (making the file: `worker`)."""

import datetime
import hashlib
import json
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling.errors import PortalError
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob
from counseling.exports.tasks import run_export

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
                    )
                queue = True
            except IntegrityError:
                # The same request at the same moment: use the other's row.
                job = ExportJob.objects.select_for_update().get(fingerprint=print_)
        elif job.status != ExportJob.Status.DONE and _stuck(job):
            # Never queued (the broker was away) or its worker is long gone: queue it again.
            queue = True
        elif job.status == ExportJob.Status.FAILED:
            job.status = ExportJob.Status.PENDING
            job.error = ""
            job.save(update_fields=["status", "error"])
            queue = True
        if queue:
            transaction.on_commit(lambda pk=job.pk: enqueue(pk))
    return job


def _stuck(job):
    if job.status == ExportJob.Status.FAILED:
        return False
    since = job.started_at or job.created_at
    return since < timezone.now() - datetime.timedelta(seconds=STUCK_SECONDS)


def enqueue(job_id):
    try:
        run_export.delay(job_id)
    except Exception:  # the broker is away: the job stays waiting, asking again re-queues it
        logger.exception("could not queue export job %s", job_id)
