"""Running a beat task once per slot, and the reconciler's way back when its worker died.

A beat task is declared with `beat_task(name)`: its body gets the run's day and does the
day's work. The reminders it sends keep their own sent-markers (a meeting's or a session's
`reminder_sent_at`, a booking's `reminded_at`, the barometer's `ReminderLog` keys), written
in the transaction that writes the notifications, so a run that dies half-way and is run
again sends only what it had not sent yet. The row here makes the run itself happen once:
a second message for a day that is done (beat restarted, a message delivered twice) does
nothing, and a run whose worker died is found by reconcile_jobs and run again.
"""

import datetime
import logging

from celery import current_app, shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from counseling import jobs
from counseling.scheduled.models import ScheduledRun

logger = logging.getLogger(__name__)

LEASE = "scheduled"
# Longer than a task's hard time limit (CELERY_TASK_TIME_LIMIT): a run this old has no task.
STUCK_SECONDS = 6 * 60


def max_attempts():
    return getattr(settings, "JOBS_MAX_ATTEMPTS", 4)


def beat_task(name):
    """Declare a beat task: `body(day)` runs at most once per day, whatever beat sends.

    Beat sends it without arguments (the run is today's); reconcile_jobs sends the id of a
    run to finish."""

    def declare(body):
        def task(run_id=None):
            scheduled = run(name, body, run_id=run_id)
            return scheduled.status if scheduled else None

        # Not functools.wraps: Celery would check the messages' arguments against the body's.
        task.__doc__, task.__module__ = body.__doc__, body.__module__
        return shared_task(
            name=name, acks_late=True, reject_on_worker_lost=True, ignore_result=True
        )(task)

    return declare


def run(name, body, *, run_id=None, today=None):
    """The run of `name` for today (or the run `run_id`), done once. Returns the row when
    this call ran it, None when there was nothing to do.

    The worker claims the run under its lease: a delivery while another worker is at it
    leaves it to that worker (whose death frees the lease for reconcile_jobs); a run done
    or given up is left alone. The attempt is counted in the claim, so a worker killed
    mid-run uses one up and a run that kills its worker every time ends, failed."""
    if run_id is None:
        scheduled, _created = ScheduledRun.objects.get_or_create(
            task=name, slot=today or timezone.localdate()
        )
    else:
        scheduled = ScheduledRun.objects.filter(pk=run_id, task=name).first()
        if scheduled is None:
            return None
    lease = jobs.Lease(LEASE, scheduled.pk)
    if not lease.acquire():
        logger.info("%s for %s is being run by another worker", name, scheduled.slot)
        return None
    try:
        return _run_claimed(scheduled.pk, body)
    finally:
        lease.release()


def _run_claimed(pk, body):
    scheduled = jobs.claim_row(ScheduledRun, pk, max_attempts(), give_up)
    if scheduled is None:
        return None
    try:
        result = body(scheduled.slot)
    except Exception as exc:
        logger.exception("%s for %s failed", scheduled.task, scheduled.slot)
        final = scheduled.attempts >= max_attempts()
        scheduled.status = ScheduledRun.Status.FAILED if final else ScheduledRun.Status.PENDING
        scheduled.error = str(exc)[:2000] or type(exc).__name__
        # Waiting from now: reconcile_jobs sends it again once JOBS_PENDING_SECONDS have passed.
        scheduled.queued_at = timezone.now()
        scheduled.finished_at = timezone.now() if final else None
        scheduled.save(update_fields=["status", "error", "queued_at", "finished_at"])
        return scheduled
    scheduled.status = ScheduledRun.Status.DONE
    scheduled.result = result
    scheduled.error = ""
    scheduled.finished_at = timezone.now()
    scheduled.save(update_fields=["status", "result", "error", "finished_at"])
    return scheduled


def give_up(scheduled):
    jobs.give_up_row(scheduled, f"Given up after {scheduled.attempts} attempts.")


# The reconciler (reconcile_jobs).


def enqueue(scheduled):
    # The task is found by its name: this process (cron's) may not have imported it yet.
    autodiscover_modules("tasks")
    try:
        current_app.tasks[scheduled.task].apply_async(kwargs={"run_id": scheduled.pk})
    except KeyError:
        logger.error("no beat task named %s", scheduled.task)
        return False
    except Exception:  # the broker is away: the run waits for the next reconcile_jobs
        logger.exception("could not queue %s for %s", scheduled.task, scheduled.slot)
        return False
    return True


ROWS = jobs.RowJobs(
    model=ScheduledRun,
    lease=LEASE,
    dead_seconds=STUCK_SECONDS,
    max_attempts=max_attempts,
    give_up=give_up,
    enqueue=enqueue,
)


def reconcile(dry_run=False, limit=100):
    """Send again the runs whose worker died and those waiting for a retry; give up those
    out of attempts (counseling.jobs.reconcile_rows)."""
    return jobs.reconcile_rows(ROWS, dry_run=dry_run, limit=limit)


def count_stuck():
    return jobs.count_stuck_rows(ScheduledRun)


def moment_of(day):
    """Now, for today's run; for an older day's run (re-queued after midnight), that day's
    last moment: the reminders then count their deadlines as that day's run would have."""
    if day == timezone.localdate():
        return timezone.now()
    end = datetime.datetime.combine(day, datetime.time.max)
    return timezone.make_aware(end, timezone.get_current_timezone())
