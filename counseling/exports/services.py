"""Asking for an export and making its file: the two entry points of the service."""

import datetime
import hashlib
import json
import logging

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling.errors import PortalError
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob

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
    from counseling.exports.tasks import run_export

    try:
        run_export.delay(job_id)
    except Exception:  # the broker is away: the job stays waiting, asking again re-queues it
        logger.exception("could not queue export job %s", job_id)


def run(job_id):
    """Make the job's file, once: a job already done is left alone (a task delivered twice
    does nothing the second time), and if two workers race, the first to finish wins and
    the other's file is thrown away. Returns True when this call made the file."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
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


def fail(job_id, error, *, final):
    """Note what went wrong; a final failure shows on the job's page with a retry button."""
    status = ExportJob.Status.FAILED if final else ExportJob.Status.PENDING
    ExportJob.objects.filter(pk=job_id).exclude(status=ExportJob.Status.DONE).update(
        status=status, error=str(error)[:2000], finished_at=timezone.now() if final else None
    )
