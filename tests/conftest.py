"""Shared fixtures: the demo school loaded once per test database, its personas, a browser."""

import os
import shutil

import pytest
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key

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
DEMO_SCHOOL = "职业教育中心"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = os.path.join(os.path.dirname(__file__), "artifacts")

# Playwright's sync API keeps an event loop running in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo school, loaded once; tests roll back their own changes around it."""
    _load_demo(django_db_blocker)


def _load_demo(blocker):
    """With tasks inline, as in the tests: with REDIS_URL set, the demo's report export would
    otherwise go to a queue no worker reads, and its job wait there for ever."""
    from counseling.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with blocker.unblock():
            call_command("load_demo", verbosity=0)
    finally:
        app.conf.task_always_eager = eager


# A transactional test (live server, real worker) empties the database when it ends. The
# next test that wants the demo reloads it once, committed, before its own transaction
# starts; reloading inside each test's rolled-back transaction made every later test pay
# for a whole demo load (the suite ran for over 90 minutes that way).
_demo_state = {"flushed": False}


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Transactional tests last, as Django orders them (pytest-playwright's own ordering
    had moved the browser tests first): the demo is then reloaded about once a run."""
    items.sort(key=_is_transactional)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    if _demo_state["flushed"] and "demo" in item.fixturenames and not _is_transactional(item):
        _load_demo(item.config.stash[blocking_manager_key])
        _demo_state["flushed"] = False
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    if _is_transactional(item):
        _demo_state["flushed"] = True


@pytest.fixture
def demo(db):
    """The demo school (loaded here only in a transactional test, after a flush)."""
    from counseling.models import School

    school = School.objects.filter(name__contains=DEMO_SCHOOL).first()
    if school is None:
        call_command("load_demo", verbosity=0)
        school = School.objects.get(name__contains=DEMO_SCHOOL)
    return school


@pytest.fixture
def world(db):
    """The small school of named people in tests/personas.py."""
    from tests.personas import World

    return World()


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
