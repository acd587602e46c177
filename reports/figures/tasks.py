"""The figures' background count (reports.figures.snapshots)."""

from celery import shared_task

from reports.figures import snapshots


@shared_task(name="reports.refresh_figures", ignore_result=True)
def refresh_figures(school_ids=None):
    """Count again the changed snapshots of these schools; from beat (no schools), also
    those of running semesters counted too long ago. Safe to run twice: a count is
    idempotent, and one being made by another worker is left to it."""
    return snapshots.refresh_due(school_ids)
