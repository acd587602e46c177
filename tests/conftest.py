"""Shared fixtures: the demo school loaded once per test database, its personas, a browser."""

import os
import shutil

import pytest
from django.core.management import call_command

DEMO_USERS = [
    "admin",
    "principal",
    "counselor",
    "counselor2",
    "liaison",
    "teacher",
    "member",
    "student",
]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "artifacts")

# Playwright's sync API keeps an event loop running in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo school, loaded once; tests roll back their own changes around it."""
    with django_db_blocker.unblock():
        call_command("load_demo", verbosity=0)


@pytest.fixture
def demo(db):
    """The demo school (re-loaded when a transactional test emptied the database)."""
    from counseling.models import School

    call_command("load_demo", verbosity=0)
    return School.objects.get(name__contains="职业教育中心")


@pytest.fixture
def user_named(demo):
    from django.contrib.auth import get_user_model

    def get(username):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def client_as(client, user_named):
    """A test client signed in as one of the demo accounts."""

    def sign_in(username):
        client.force_login(user_named(username))
        return client

    return sign_in


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
