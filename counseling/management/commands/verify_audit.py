"""Check the audit trail's hash chains: a removed or altered entry breaks its chain.

Exits with status 1 and names the first broken entry of each chain. Entries written before
the chain existed (no hash) are counted and skipped.
"""

from django.core.management.base import BaseCommand, CommandError

from counseling.audit import verify_chains


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains (detects removed or altered entries)."

    def handle(self, *args, **options):
        report = verify_chains()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = (
            f"{report.checked} entries in {report.chains} chains checked, "
            f"{report.unchained} written before the chain, {len(report.problems)} problems."
        )
        if report.problems:
            raise CommandError(summary)
        self.stdout.write(summary)
