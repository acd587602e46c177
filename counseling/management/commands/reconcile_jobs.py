"""Put the portal's stuck background work back on the queue: the reconciler.

Every job has a row (an export job, a notification delivery) that says what is still to
do. When Redis lost its queue (a restart without persistence, FLUSHALL), when a whole worker
was killed holding a task, or when a retry could not be queued, no message will ever come
for the row: this command queues it again, and gives up a job that is out of attempts (its
worker died each time). It runs outside Celery beat on purpose, since beat needs the
broker too. Running it twice, or beside a busy worker, is harmless: a worker claims a job
under a lease and makes it once.

    python manage.py reconcile_jobs                # once
    python manage.py reconcile_jobs --dry-run      # only say what is stuck
    python manage.py reconcile_jobs --loop 60      # keep at it, every 60 seconds

By cron, every minute:

    * * * * *  cd /srv/counseling && .venv/bin/python manage.py reconcile_jobs

or a systemd timer (OnUnitActiveSec=60) running it with the portal's environment. The
deadlines are JOBS_PENDING_SECONDS, JOBS_RUNNING_GRACE_SECONDS and JOBS_MAX_ATTEMPTS.
"""

from counseling import jobs
from counseling.management.looping import LoopingCommand


class Command(LoopingCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")
        super().add_arguments(parser)
        parser.add_argument(
            "--only",
            action="append",
            metavar="KIND",
            help=f"Only this kind ({', '.join(k.name for k in jobs.kinds())}); repeatable.",
        )

    def run_once(self, *, dry_run=False, only=None, verbosity=1, **options):
        results = jobs.reconcile_all(dry_run=dry_run, only=only)
        for name, r in results.items():
            if r.stuck or verbosity > 1:
                self.stdout.write(
                    f"{name}: {r.stuck} stuck, {r.requeued} queued again, "
                    f"{r.failed} given up, {r.waiting} waiting for the broker"
                    + (" (dry run)" if dry_run else "")
                )
