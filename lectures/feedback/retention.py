"""Retention of feedback answers (registered in LecturesConfig)."""

from django.utils.translation import gettext_lazy as _

from counseling import retention
from lectures.feedback.models import Feedback


def purge_feedback(cutoff, dry_run):
    return retention.delete_with_files(Feedback.objects.filter(created_at__lt=cutoff), dry_run)


def register():
    retention.register(
        "feedback", label=_("Feedback answers"), default_days=2 * 365, purge=purge_feedback
    )
