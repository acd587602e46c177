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

import argparse
import signal
import time

from django.core.management.base import BaseCommand, DjangoHelpFormatter
from django.db import close_old_connections

from counseling import jobs


class HelpFormatter(DjangoHelpFormatter, argparse.RawDescriptionHelpFormatter):
    """Keeps the examples above as they are written."""


class Command(BaseCommand):
    help = __doc__

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Change nothing.")
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            help="Run again every SECONDS until stopped (SIGTERM or Ctrl-C).",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="KIND",
            help=f"Only this kind ({', '.join(k.name for k in jobs.kinds())}); repeatable.",
        )

    def handle(self, *args, dry_run=False, loop=None, only=None, **options):
        stopping = []
        if loop:
            signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            try:
                results = jobs.reconcile_all(dry_run=dry_run, only=only)
            except Exception as exc:
                if not loop:
                    raise
                self.stderr.write(f"reconcile_jobs: {type(exc).__name__}: {exc}")
            else:
                for name, r in results.items():
                    if r.stuck or options["verbosity"] > 1:
                        self.stdout.write(
                            f"{name}: {r.stuck} stuck, {r.requeued} queued again, "
                            f"{r.failed} given up, {r.waiting} waiting for the broker"
                            + (" (dry run)" if dry_run else "")
                        )
            if not loop:
                return
            try:
                deadline = time.monotonic() + loop
                while not stopping and time.monotonic() < deadline:
                    time.sleep(min(1.0, loop))
            except KeyboardInterrupt:
                return
            if stopping:
                return
            close_old_connections()  # a long loop must survive a database restart
