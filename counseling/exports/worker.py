"""Making an export's file: what the task runs, below the service that queues it (the
service imports the task, the task imports this)."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from counseling import jobs
from counseling.exports import get_exporter
from counseling.exports.models import ExportJob

LEASE = "exports"


class JobBusy(Exception):
    """Another worker holds the job's lease: it is being made right now."""


def max_attempts():
    return getattr(settings, "JOBS_MAX_ATTEMPTS", 4)


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
    job = jobs.claim_row(ExportJob, job_id, max_attempts(), give_up)
    if job is None:
        return False
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


def give_up(job):
    jobs.give_up_row(job, f"Given up after {job.attempts} attempts (the worker stopped each time).")


def attempts_of(job_id):
    return ExportJob.objects.filter(pk=job_id).values_list("attempts", flat=True).first() or 0
