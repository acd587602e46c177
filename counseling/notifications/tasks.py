"""The Celery task. It carries only the Delivery id: the row holds everything else."""

import logging

from celery import shared_task

from counseling.notifications.sending import send

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="counseling.notifications.deliver", ignore_result=True)
def deliver(self, delivery_id):
    outcome = send(delivery_id)
    if outcome.retry_in is None:
        return outcome.status
    if self.request.called_directly or self.request.is_eager:
        # Inline (embedded mode, tests): an eager retry would run at once, in the request.
        # The row stays pending with its due time, and requeue_notifications retries it.
        return outcome.status
    # Celery's retry with the backoff as countdown. Should that publish fail, the row is
    # still pending and due, and requeue_notifications picks it up.
    raise self.retry(countdown=outcome.retry_in, max_retries=None)
