"""The Celery app of the jobs' worker tests: the exports' test app, plus a beat task and an
e-mail channel that write down each attempt and sleep through the first (where a test
kills the worker)."""

import os
import time
from pathlib import Path

# First: it sets Django up, which the portal's modules below need.
from tests.exports.worker_app import app  # isort: skip

from counseling.notifications.models import Delivery  # noqa: E402
from counseling.notifications.sending import SENDERS  # noqa: E402
from counseling.scheduled.services import beat_task  # noqa: E402

SLOW_BEAT = "tests.slow_beat"


def _attempt(name):
    """Writes down an attempt; sleeps through the first (the test kills this process)."""
    folder = Path(os.environ["EXPORT_TEST_DIR"])
    first = not any(folder.glob(f"{name.rsplit('-', 1)[0]}-*"))
    (folder / name).write_text(str(os.getpid()))
    if first:
        time.sleep(120)


@beat_task(SLOW_BEAT)
def slow_beat(day):
    runs = len(list(Path(os.environ["EXPORT_TEST_DIR"]).glob("beat-*")))
    _attempt(f"beat-{runs + 1}")
    return runs + 1


def _slow_email(notification, delivery, **kwargs):
    _attempt(f"mail{delivery.pk}-{delivery.attempts}")


if os.environ.get("SLOW_EMAIL"):  # the worker's process only, never the test's
    SENDERS[Delivery.Channel.EMAIL] = _slow_email

__all__ = ["app"]
