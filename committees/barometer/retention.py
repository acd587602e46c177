"""Retention of the barometer's sensitive data (registered in CommitteesConfig)."""

from django.utils.translation import gettext_lazy as _

from committees.barometer.models import (
    Alert,
    AlertNote,
    Barometer,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
)
from counseling import retention

REMOVED = "—"  # what stays of a closed alert's outcome once its period is over


def purge_barometers(cutoff, dry_run):
    """Whole barometers, with their concerns, students of concern and suggestions."""
    return retention.delete_with_files(Barometer.objects.filter(submitted_at__lt=cutoff), dry_run)


def purge_concerns(cutoff, dry_run):
    """The names of students of concern (tier 3): rows in barometers, immediate reports."""
    concerns = StudentOfConcern.objects.filter(barometer__submitted_at__lt=cutoff)
    reports = ImmediateReport.objects.filter(created_at__lt=cutoff).exclude(student_ref="")
    count = retention.delete_with_files(concerns, dry_run) + reports.count()
    if not dry_run:
        # .update() encrypts what it is given, and "" is stored as it is: encrypt("") here
        # would be encrypted twice and read back as a token.
        reports.update(student_ref="", student_id_enc="", note="")
    return count


def purge_alerts(cutoff, dry_run):
    """Closed alerts keep their figures (rule, class, week); the student, the outcome, the
    notes and the talks' notes go."""
    # The outcome is encrypted (a fresh nonce each time): compared once decrypted, so that an
    # alert already purged is not counted again.
    closed = Alert.objects.filter(status=Alert.Status.CLOSED, closed_at__lt=cutoff)
    ids = [
        pk
        for pk, ref, outcome in closed.values_list("pk", "student_ref", "outcome")
        if ref or outcome != REMOVED
    ]
    count = len(ids)
    if not dry_run and count:
        AlertNote.objects.filter(alert_id__in=ids).delete()
        TalkTask.objects.filter(alert_id__in=ids).update(note="")
        Alert.objects.filter(pk__in=ids).update(student_ref="", student_id_enc="", outcome=REMOVED)
    return count


def register():
    retention.register(
        "barometers", label=_("Barometers"), default_days=3 * 365, purge=purge_barometers
    )
    retention.register(
        "concerns", label=_("Students of concern"), default_days=365, purge=purge_concerns
    )
    retention.register("alerts", label=_("Closed alerts"), default_days=2 * 365, purge=purge_alerts)
