"""The app's Celery tasks, where Celery's autodiscovery looks for them."""

from reports.figures.tasks import refresh_figures

__all__ = ["refresh_figures"]
