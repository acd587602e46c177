"""Remove or anonymise every class of data past its retention period (counseling.retention).

Run it daily (cron or Celery beat). `--dry-run` says how many rows each class would lose.
"""

from django.core.management.base import BaseCommand

from counseling import retention


class Command(BaseCommand):
    help = "Remove or anonymise data past its retention period (see counseling.retention)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, change nothing")
        parser.add_argument("--only", nargs="*", help="only these data classes")

    def handle(self, *args, dry_run=False, only=None, **options):
        done = retention.purge_expired(dry_run=dry_run, only=only)
        verb = "would be purged" if dry_run else "purged"
        for name, count in done.items():
            days = retention.period(name)
            self.stdout.write(f"{name}: {count} {verb} (kept {days} days)")
