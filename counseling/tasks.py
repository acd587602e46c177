"""Celery autodiscovery reads `<app>.tasks`; the core's tasks live with their features."""

from counseling.notifications.tasks import deliver

__all__ = ["deliver"]
