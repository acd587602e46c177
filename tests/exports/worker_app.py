"""The Celery app of the worker tests: the portal's app plus a slow exporter that writes
down each attempt and sleeps through its first (where a test kills it), and a quick one."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "counseling.settings_test")
django.setup()

from counseling.celery import app  # noqa: E402
from counseling.exports import Exporter, register_exporter  # noqa: E402

KEY = "tests.slow"
QUICK = "tests.quick"


def _build(job):
    folder = os.environ["EXPORT_TEST_DIR"]
    with open(os.path.join(folder, f"attempt-{job.attempts}"), "w") as handle:
        handle.write(str(os.getpid()))
    if job.attempts == 1:
        time.sleep(120)  # the test kills this process here
    return b"made after the worker died", ".txt"


def _quick(job):
    folder = os.environ["EXPORT_TEST_DIR"]
    with open(os.path.join(folder, f"quick-{job.pk}-{job.attempts}"), "w") as handle:
        handle.write(str(os.getpid()))
    return b"quick", ".txt"


def _school(params):
    from counseling.models import School

    return School.objects.get(pk=params["school"])


def register():
    register_exporter(
        Exporter(
            key=KEY,
            label="slow",
            build=_build,
            allows=lambda user, params: True,
            school_of=_school,
            filename=lambda params: "slow",
        )
    )
    register_exporter(
        Exporter(
            key=QUICK,
            label="quick",
            build=_quick,
            allows=lambda user, params: True,
            school_of=_school,
            filename=lambda params: "quick",
        )
    )


register()
__all__ = ["app"]
