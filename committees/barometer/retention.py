"""Retention of the barometer's sensitive data (registered in CommitteesConfig)."""

from django.db.models import Q
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
from counseling.crypto import encrypt

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
        reports.update(student_ref="", student_id_enc=encrypt(""), note=encrypt(""))
    return count


def purge_alerts(cutoff, dry_run):
    """Closed alerts keep their figures (rule, class, week); the student, the outcome, the
    notes and the talks' notes go."""
    alerts = Alert.objects.filter(status=Alert.Status.CLOSED, closed_at__lt=cutoff).filter(
        ~Q(student_ref="") | ~Q(outcome=REMOVED)
    )
    count = alerts.count()
    if not dry_run and count:
        ids = list(alerts.values_list("pk", flat=True))
        AlertNote.objects.filter(alert_id__in=ids).delete()
        TalkTask.objects.filter(alert_id__in=ids).update(note=encrypt(""))
        Alert.objects.filter(pk__in=ids).update(
            student_ref="", student_id_enc=encrypt(""), outcome=REMOVED
        )
    return count


def register():
    retention.register(
        "barometers", label=_("Barometers"), default_days=3 * 365, purge=purge_barometers
    )
    retention.register(
        "concerns", label=_("Students of concern"), default_days=365, purge=purge_concerns
    )
    retention.register("alerts", label=_("Closed alerts"), default_days=2 * 365, purge=purge_alerts)
