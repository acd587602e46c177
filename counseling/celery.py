"""The Celery app. Its settings are the CELERY_* names in counseling.settings."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings")

app = Celery("counseling")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The worker writes a heartbeat that /healthz reads (counseling.health).
from counseling.health import WorkerHeartbeat  # noqa: E402

app.steps["worker"].add(WorkerHeartbeat)
