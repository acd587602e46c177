"""Celery autodiscovery reads `<app>.tasks`; the core's tasks live with their features."""

from counseling.exports.tasks import run_export
from counseling.notifications.tasks import deliver

__all__ = ["deliver", "run_export"]
