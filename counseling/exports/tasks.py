"""The export task: takes a job id, makes its file once, retried when it fails."""

import logging

from celery import shared_task

from counseling.exports import worker

logger = logging.getLogger(__name__)

MAX_RETRIES = 3


@shared_task(
    bind=True,
    # The message goes back to the queue if the worker dies while making the file ...
    acks_late=True,
    reject_on_worker_lost=True,
    # ... and a file that takes this long is not going to come.
    soft_time_limit=4 * 60,
    time_limit=5 * 60,
    max_retries=MAX_RETRIES,
)
def run_export(self, job_id):
    try:
        worker.run(job_id)
    except Exception as exc:
        final = self.request.is_eager or self.request.retries >= self.max_retries
        logger.exception("export job %s failed (attempt %s)", job_id, self.request.retries + 1)
        worker.fail(job_id, exc, final=final)
        if final:
            return
        raise self.retry(exc=exc, countdown=5 * 2**self.request.retries) from exc
