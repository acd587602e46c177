"""/healthz for the school's monitoring: database, Redis, workers and the job backlog.

The body names each part and its state, and the backlog as counts: no secrets, no
addresses, no data. Any part down gives 503, while the user pages stay up (they need
only the database). Other apps add their own backlog by `register_backlog` (the export
jobs, when they land), so the core imports no feature app.
"""

import time

from celery import bootsteps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

HEARTBEAT_KEY = "portal:worker-heartbeat"
_BACKLOGS = {}


def register_backlog(name, count_stuck):
    """`count_stuck()` returns how many jobs of this kind are stuck (0 when all is well)."""
    _BACKLOGS[name] = count_stuck


def _stuck_deliveries():
    # Not at the top: counseling/__init__.py loads the Celery app, which loads this module,
    # before Django's model registry exists.
    from counseling.notifications.models import Delivery

    return Delivery.objects.due(older_than=settings.HEALTHZ_STUCK_SECONDS).count()


register_backlog("notifications", _stuck_deliveries)


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def check_redis():
    if not settings.REDIS_URL:
        return "not configured"
    # The cache is Redis with a socket timeout: a hung Redis fails here within it. One
    # round trip only, so a hung Redis costs one timeout, not one per command.
    cache.set("portal:healthz", "1", 30)
    return "ok"


def check_workers():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "inline"
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None or time.time() - float(beat) > settings.HEALTHZ_WORKER_SECONDS:
        raise RuntimeError("no heartbeat")
    return "ok"


def _run(check):
    try:
        return True, check()
    except Exception:  # noqa: BLE001 - any failure is "down"; the reason stays in the logs
        return False, "down"


@never_cache
def healthz(request):
    checks, healthy = {}, True
    for name, check in (
        ("database", check_database),
        ("redis", check_redis),
        ("workers", check_workers),
    ):
        ok, checks[name] = _run(check)
        healthy &= ok
    backlog = {}
    for name, count_stuck in _BACKLOGS.items():
        ok, value = _run(count_stuck)
        backlog[name] = value
        healthy &= ok and value == 0
    checks["stuck_jobs"] = backlog
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )


class WorkerHeartbeat(bootsteps.StartStopStep):
    """A Celery worker step: writes the heartbeat key every 15 seconds while it runs."""

    requires = {"celery.worker.components:Timer"}

    def start(self, worker):
        self.tref = worker.timer.call_repeatedly(15.0, self.beat, priority=10)
        self.beat()

    def stop(self, worker):
        if getattr(self, "tref", None):
            self.tref.cancel()

    def beat(self):
        try:
            cache.set(HEARTBEAT_KEY, str(time.time()), settings.HEALTHZ_WORKER_SECONDS * 2)
        except Exception:  # noqa: BLE001 - Redis away: /healthz says so by itself
            pass
