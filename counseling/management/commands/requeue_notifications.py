"""Send again the notification deliveries that are stuck: the broker's safety net.

A delivery is pending in the database until a channel accepted it. When the broker was down
or hung as it was queued, when a worker died holding it, or when a retry could not be
queued, nothing else brings it back: this command does. It runs outside Celery beat on
purpose, since beat needs the broker too.

    python manage.py requeue_notifications              # queue what is due, once
    python manage.py requeue_notifications --loop 60    # keep at it, every 60 seconds
    python manage.py requeue_notifications --inline     # send here, without the broker

By cron, every five minutes:

    */5 * * * *  cd /srv/counseling && .venv/bin/python manage.py requeue_notifications

or as a systemd service beside the worker (Restart=always, with the portal's environment):

    ExecStart=/srv/counseling/.venv/bin/python manage.py requeue_notifications --loop 60

A delivery counts as stuck once its attempt has been due for --older-than seconds (default
120; 0 with --inline), which leaves a busy worker time to work through its queue. Sending
twice is harmless: a delivery that was sent meanwhile is not sent again.
"""

from counseling.management.looping import LoopingCommand
from counseling.notifications import services


class Command(LoopingCommand):
    help = __doc__

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Send the deliveries from this process instead of queueing them.",
        )
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="SECONDS",
            help="Only deliveries due at least this long ago (default 120; 0 with --inline).",
        )
        parser.add_argument(
            "--limit", type=int, default=1000, help="At most this many per run (default 1000)."
        )

    def run_once(self, *, inline=False, older_than=None, limit=1000, verbosity=1, **options):
        if older_than is None:
            older_than = 0 if inline else 120
        found, done = services.requeue(older_than=older_than, inline=inline, limit=limit)
        if found or verbosity > 1:
            verb = "sent" if inline else "queued"
            self.stdout.write(f"{found} stuck deliveries, {done} {verb}.")
