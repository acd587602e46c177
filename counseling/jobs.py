"""Background work that survives faults: rows first, and one reconciler over them.

Every piece of background work already has a row that is its source of truth, written in
the transaction of the action that asked for it: an export job (a file to make, with its
status and attempts) and a notification delivery (a message to send, with its backoff and
its robot's window); a beat task's daily run has one too, written by the task that claims
it (a scheduled run, counseling.scheduled). We keep those tables rather than fold them into one job table: their
states and retry rules differ (a delivery waits for a robot's window and a due time; an
export is made once and shared by identical requests), each is guarded by its own
constraints and tests, and a generic table would hold the same columns twice or hide them
in JSON. What they share is the way back from a fault, and that is here:

- each kind registers how to find its stuck rows and put them back on the queue (or give
  them up after its bounded attempts), and how many are stuck for /healthz;
- `manage.py reconcile_jobs`, run by cron or a systemd timer (not Celery beat, which needs
  the broker that may be the thing that failed), runs every kind's reconciler;
- a worker claims a row under a lease (`Lease`) that the database ends with the worker's
  session, so a second delivery of the same task never makes it twice, and a worker killed
  mid-task leaves a row that anyone can see is no longer being worked on.
"""

import dataclasses
import datetime
import logging
import zlib
from collections.abc import Callable

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from counseling import health

logger = logging.getLogger(__name__)

_kinds = {}


@dataclasses.dataclass
class Reconciled:
    """What one reconciler run did for one kind."""

    stuck: int = 0  # rows past their deadline with nobody working on them
    requeued: int = 0  # handed to the broker again
    failed: int = 0  # given up: out of attempts
    waiting: int = 0  # left for the next run (the broker is away)


@dataclasses.dataclass(frozen=True)
class JobKind:
    name: str
    reconcile: Callable  # reconcile(dry_run=False) -> Reconciled
    count_stuck: Callable  # count_stuck() -> int, for /healthz


def register(kind):
    _kinds[kind.name] = kind
    health.register_backlog(kind.name, kind.count_stuck)
    return kind


def kinds():
    return list(_kinds.values())


def reconcile_all(dry_run=False, only=None):
    """{kind name: Reconciled} for every registered kind (or those named in `only`)."""
    return {
        kind.name: kind.reconcile(dry_run=dry_run)
        for kind in kinds()
        if not only or kind.name in only
    }


def _namespace(name):
    # The first of PostgreSQL's two advisory-lock keys: a stable number per kind of job.
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


class Lease:
    """A worker's claim on one job, held by its database session.

    On PostgreSQL a session-level advisory lock: the server ends it when the session ends,
    so a worker that is killed (kill -9, out of memory, the machine gone) loses its claim
    with its connection and nothing has to expire. Elsewhere (the embedded SQLite set-up,
    where tasks run inline in one process) it always succeeds.

    Session locks need the worker's session to stay its own: a worker must reach
    PostgreSQL directly or through PgBouncer in session mode, not in transaction mode.
    """

    def __init__(self, kind, pk):
        self.keys = (_namespace(kind), int(pk))
        self.held = False

    def acquire(self):
        """True when this worker now holds the claim; False when another session does."""
        if connection.vendor != "postgresql":
            self.held = True
            return True
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", self.keys)
            self.held = bool(cursor.fetchone()[0])
        return self.held

    def release(self):
        if not self.held:
            return
        self.held = False
        if connection.vendor != "postgresql":
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", self.keys)
        except Exception:  # noqa: BLE001 - the session is gone, and the lock with it
            connection.close()


def lease_held(kind, pk):
    """True when some session holds the job's lease, False when none does, None when this
    database cannot tell (then only a deadline says a worker is gone)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s::int::oid AND objid = %s::int::oid AND objsubid = 2)",
            [_namespace(kind), int(pk)],
        )
        return bool(cursor.fetchone()[0])


# The tables of jobs made once (exports, scheduled runs): a status of pending, running, done
# or failed, attempts, and when the job was created, queued and started.


def stuck_q(now, waited, ran):
    """Stuck, the one definition (the reconciler, /healthz, and a request that finds its
    job): waiting, its task gone out `waited` ago (a failed attempt's retry counts from its
    own queueing, not from the attempt's start); or running, started `ran` ago."""
    waiting = Q(status="pending") & (
        Q(queued_at__lt=now - waited) | Q(queued_at__isnull=True, created_at__lt=now - waited)
    )
    return waiting | Q(status="running", started_at__lt=now - ran)


def claim_row(model, pk, max_attempts, give_up):
    """The row, now running with its attempt counted, committed before any work starts (a
    worker killed at work has used the attempt up); None when it is gone, done, failed, or
    out of attempts (then given up). Call it holding the row's Lease."""
    with transaction.atomic():
        row = model.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.status in ("done", "failed"):
            return None
        if row.attempts >= max_attempts:
            give_up(row)
            return None
        row.status = "running"
        row.attempts += 1
        row.started_at = timezone.now()
        row.save(update_fields=["status", "attempts", "started_at"])
    return row


def give_up_row(row, error):
    row.status = "failed"
    row.error = error
    row.finished_at = timezone.now()
    row.save(update_fields=["status", "error", "finished_at"])


@dataclasses.dataclass(frozen=True)
class RowJobs:
    """How reconcile_rows treats one such table."""

    model: type
    lease: str  # the Lease kind its workers claim under
    dead_seconds: int  # longer than its task's hard time limit: running this long, no task
    max_attempts: Callable  # () -> int
    give_up: Callable  # give_up(row): mark it failed, out of attempts
    enqueue: Callable  # enqueue(row) -> bool: handed to the broker


def reconcile_rows(kind, dry_run=False, limit=500):
    """Queue again the rows whose task was lost (the broker lost its queue, or a worker died
    holding it); give up those out of attempts.

    Waiting: its task went out JOBS_PENDING_SECONDS ago and no worker started it. Running:
    started JOBS_RUNNING_GRACE_SECONDS ago (time for acks_late's redelivery to come first)
    and its lease is free, so its worker is gone; where leases cannot be seen, only once it
    is older than the task's hard time limit. A duplicate task is harmless: the claim does
    the work once.
    """
    model = kind.model
    now = timezone.now()
    waited = datetime.timedelta(seconds=getattr(settings, "JOBS_PENDING_SECONDS", 120))
    grace = datetime.timedelta(seconds=getattr(settings, "JOBS_RUNNING_GRACE_SECONDS", 60))
    dead = now - datetime.timedelta(seconds=kind.dead_seconds)
    ids = list(
        model.objects.filter(stuck_q(now, waited, grace))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    result = Reconciled()
    for pk in ids:
        with transaction.atomic():
            # skip_locked: a worker claiming it right now holds the row; it is not stuck.
            row = (
                model.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, status__in=["pending", "running"])
                .first()
            )
            if row is None:
                continue
            if row.status == "running":
                alive = lease_held(kind.lease, pk)
                if alive or (alive is None and row.started_at >= dead):
                    continue
            result.stuck += 1
            if dry_run:
                continue
            if row.attempts >= kind.max_attempts():
                kind.give_up(row)
                result.failed += 1
                continue
            row.status = "pending"
            row.queued_at = timezone.now()
            row.save(update_fields=["status", "queued_at"])
        if result.waiting or not kind.enqueue(row):
            result.waiting += 1  # one failed publish is enough: the rest waits for the next run
        else:
            result.requeued += 1
    if result.stuck:
        logger.warning("reconcile_jobs: %s %s", model._meta.verbose_name_plural, result)
    return result


def count_stuck_rows(model):
    """Rows that have waited or run long past what the reconciler allows: /healthz."""
    age = datetime.timedelta(seconds=settings.HEALTHZ_STUCK_SECONDS)
    return model.objects.filter(stuck_q(timezone.now(), age, age)).count()
