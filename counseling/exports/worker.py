"""Making an export's file: what the task runs, below the service that queues it (the
service imports the task, the task imports this)."""

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from counseling.exports import get_exporter
from counseling.exports.models import ExportJob


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
