"""The notifications' part in reconcile_jobs: pending deliveries whose attempt is overdue.

A delivery's own rules stay in sending.send (the claim under a lease, the backoff, the bounded
attempts that mark it failed); this only hands the overdue ones to the broker again.
"""

from django.conf import settings

from counseling.jobs import Reconciled
from counseling.notifications import services
from counseling.notifications.models import Delivery


def reconcile(dry_run=False):
    older_than = getattr(settings, "JOBS_PENDING_SECONDS", 120)
    if dry_run:
        return Reconciled(stuck=Delivery.objects.due(older_than).count())
    found, queued = services.requeue(older_than=older_than)
    return Reconciled(stuck=found, requeued=queued, waiting=found - queued)


def count_stuck():
    return Delivery.objects.due(older_than=settings.HEALTHZ_STUCK_SECONDS).count()
