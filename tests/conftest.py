"""Shared fixtures: the personas world, a browser, tasks inline. The demo school is not one:
tests/test_demo.py loads it for itself."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "artifacts")

# Playwright's sync API keeps an event loop running in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests last, as Django orders them (pytest-playwright's own ordering
    had moved the browser tests first, and each of them empties the database)."""
    items.sort(key=_is_transactional)


@pytest.fixture
def world(db):
    """The small school of named people in tests/personas.py."""
    from tests.personas import World

    return World()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it where it can)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def screenshot_dir():
    os.makedirs(SCREENSHOTS, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(autouse=True)
def _robot_windows():
    """Each test starts with empty group-robot send windows (robot ids are reused)."""
    from counseling.notifications import throttle

    throttle.reset()
    yield


@pytest.fixture(autouse=True)
def eager_celery(request):
    """Tasks run inline, as the embedded default does, even when REDIS_URL is set: a test
    looks at what a task did (mail.outbox, a made file) unless it is marked `broker`, in
    which case a real worker consumes from Redis."""
    from counseling.celery import app

    if request.node.get_closest_marker("broker"):
        yield
        return
    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old
