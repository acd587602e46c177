"""The export task: takes a job id, makes its file once, retried when it fails."""

import logging

from celery import shared_task

from counseling.exports import worker

logger = logging.getLogger(__name__)

# Another worker holds the job: look again this much later (it is done by then, or its
# worker died and its lease went with its database session).
BUSY_SECONDS = 10


@shared_task(
    bind=True,
    # The message goes back to the queue if the worker dies while making the file ...
    acks_late=True,
    reject_on_worker_lost=True,
    # ... and a file that takes this long is not going to come.
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
)
def run_export(self, job_id):
    # Retries are counted by the job's attempts in the database, not by the message: a
    # task queued again by reconcile_jobs starts with a fresh message but the same count.
    try:
        worker.run(job_id)
    except worker.JobBusy as exc:
        if self.request.is_eager:
            return
        raise self.retry(exc=exc, countdown=BUSY_SECONDS, max_retries=None) from exc
    except Exception as exc:
        logger.exception("export job %s failed", job_id)
        if worker.fail(job_id, exc, final=self.request.is_eager):
            return
        attempts = worker.attempts_of(job_id)
        raise self.retry(
            exc=exc, countdown=5 * 2 ** max(attempts - 1, 0), max_retries=None
        ) from exc
