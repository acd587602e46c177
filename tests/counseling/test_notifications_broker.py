"""The broker is not the source of truth: a notification survives a Redis that is down or hangs.

The broker is reached through a TCP stand-in on 127.0.0.1 that can be closed (nothing
listens), hang (accepts connections and never answers) or forward to the real Redis, so a
test can take Redis away and bring it back at the same address, as happens in production.

Tests that need the real Redis skip when it is not reachable; the worker tests run only
when REDIS_URL is set (CI sets it).
"""

import contextlib
import os
import select
import socket
import threading
import time
import urllib.parse
import uuid

import kombu.pools
import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from counseling.celery import app as celery_app
from counseling.models import Role, School
from counseling.notifications import notify, services
from counseling.notifications.models import Delivery, Notification, WebhookChannel
from counseling.notifications.tasks import deliver
from tests.counseling.test_notifications import MAIL, ROBOT, RobotServer
from tests.factories import SchoolFactory, UserFactory

# Tasks go to the real broker here, not inline (tests/conftest.py).
pytestmark = pytest.mark.broker


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
# A bound on a hang, not a speed test: settings make it about 2 × REDIS_SOCKET_TIMEOUT.
HANG_BOUND = 10


def redis_address():
    parts = urllib.parse.urlsplit(REDIS_URL)
    return parts.hostname or "127.0.0.1", parts.port or 6379, parts.path.lstrip("/") or "0"


def redis_reachable():
    host, port, _ = redis_address()
    try:
        with socket.create_connection((host, port), timeout=1) as s:
            s.settimeout(1)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason=f"no Redis answering at {REDIS_URL}")
needs_redis_url = pytest.mark.skipif(
    not os.environ.get("REDIS_URL") or not redis_reachable(),
    reason="the worker tests run when REDIS_URL names a reachable Redis",
)


class BrokerStandIn:
    """A port on 127.0.0.1 that is closed, hangs, or forwards to the real Redis."""

    def __init__(self):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.listener = None
        self.mode = "closed"
        self.sockets = []
        self.lock = threading.Lock()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/{redis_address()[2]}"

    def set(self, mode):
        """closed, hang or forward; every open connection is dropped, like a restart."""
        with self.lock:
            for s in self.sockets:
                with contextlib.suppress(OSError):
                    s.close()
            self.sockets = []
            self.mode = mode
            if mode == "closed" and self.listener is not None:
                self.listener.close()
                self.listener = None
            if mode != "closed" and self.listener is None:
                listener = socket.socket()
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                listener.bind(("127.0.0.1", self.port))
                listener.listen(64)
                self.listener = listener
                threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                self.sockets.append(client)
                if self.mode != "forward":
                    continue  # accepted, and never a byte in answer
                host, port, _ = redis_address()
                upstream = socket.create_connection((host, port), timeout=5)
                self.sockets.append(upstream)
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while True:
                ready, _, _ = select.select([a, b], [], [], 1)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except (OSError, ValueError):
            return

    def close(self):
        self.set("closed")


def point_celery_at(url, queue):
    """Switch the running Celery app to another broker and default queue.

    app.conf is read once, but what was built from it is cached: the app's connection pools
    (Celery drops them after a fork), kombu's pools per broker URL (a closed one would be
    handed out again), and app.amqp with its queues and router. All three go, and the next
    publish (or worker) connects to the new URL and uses the new queue.
    """
    kombu.pools.reset()
    celery_app.conf.broker_url = url
    celery_app.conf.broker_write_url = None
    celery_app.conf.broker_read_url = None
    celery_app.conf.task_default_queue = queue
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@contextlib.contextmanager
def celery_publishing_to(url):
    """Celery publishing for real (not eagerly) to `url`, on a queue of this test's own.

    Developers run test sessions side by side against one Redis: a shared queue would let
    one session's worker take another's tasks.
    """
    conf = celery_app.conf
    old = conf.broker_url, conf.task_always_eager, conf.task_default_queue
    queue = f"tests-notifications-{uuid.uuid4().hex[:12]}"
    conf.task_always_eager = False
    point_celery_at(url, queue)
    try:
        yield queue
    finally:
        conf.task_always_eager = old[1]
        point_celery_at(old[0], old[2])
        services._broker_failed_at = None  # the stand-in's failures stay with this test
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
            client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")


@pytest.fixture
def broker(settings):
    """The stand-in, with Celery publishing to it."""
    # Every publish tries the broker, so that each test sees the timeouts themselves.
    settings.NOTIFICATIONS_BROKER_PAUSE_SECONDS = 0
    stand_in = BrokerStandIn()
    with celery_publishing_to(stand_in.url):
        yield stand_in
        stand_in.close()


@pytest.fixture
def real_broker(settings):
    """Celery publishing to the real Redis, for a worker to consume."""
    settings.NOTIFICATIONS_BROKER_PAUSE_SECONDS = 0
    with celery_publishing_to(REDIS_URL):
        yield


@contextlib.contextmanager
def worker():
    """A real Celery worker in a thread, consuming from the broker Celery points at."""
    with start_worker(
        celery_app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=15,
        loglevel="WARNING",
    ) as w:
        yield w


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def person(email="lin@example.edu.cn"):
    school = SchoolFactory()
    user = UserFactory(email=email)
    Role.objects.create(user=user, kind=Role.Kind.COUNSELOR, school=school)
    return user


def save_and_notify(recipient, title):
    """The causing action: it saves something and notifies, in one transaction."""
    started = time.monotonic()
    with transaction.atomic():
        School.objects.create(name=f"学校 {title}")
        [note] = notify(recipient, MAIL.key, title)
    return note, time.monotonic() - started


def assert_kept_pending(note, title):
    assert School.objects.filter(name=f"学校 {title}").exists()  # the action succeeded
    assert Notification.objects.filter(pk=note.pk).exists()
    delivery = Delivery.objects.get(notification=note)
    assert (delivery.status, delivery.attempts) == (Delivery.Status.PENDING, 0)
    return delivery


def test_the_settings_bound_a_publish_to_a_hanging_broker(broker):
    """apply_async itself: with Celery's defaults this waits far longer (or for ever)."""
    broker.set("hang")
    for _ in range(2):  # a fresh connection, then the pooled one
        started = time.monotonic()
        with pytest.raises(Exception):  # noqa: B017 - kombu's OperationalError, or a timeout
            deliver.apply_async(args=[0])
        elapsed = time.monotonic() - started
        assert elapsed < 2 * settings.REDIS_SOCKET_TIMEOUT + 2


@pytest.mark.django_db(transaction=True)
def test_the_action_succeeds_when_nothing_listens_on_the_broker_port(broker):
    recipient = person()
    note, elapsed = save_and_notify(recipient, "端口关闭")
    assert elapsed < HANG_BOUND
    assert_kept_pending(note, "端口关闭")


@pytest.mark.django_db(transaction=True)
def test_the_action_succeeds_when_the_broker_accepts_and_never_answers(broker):
    broker.set("hang")
    recipient = person()
    note, elapsed = save_and_notify(recipient, "无应答")
    assert elapsed < HANG_BOUND
    assert_kept_pending(note, "无应答")


@pytest.mark.django_db(transaction=True)
def test_after_a_failure_the_broker_is_left_alone_for_a_while(broker, settings):
    """An action that notifies three times waits for one broker timeout, not three."""
    settings.NOTIFICATIONS_BROKER_PAUSE_SECONDS = 30
    broker.set("hang")
    recipients = [person(), person(), person()]
    started = time.monotonic()
    with transaction.atomic():
        School.objects.create(name="三次通知")
        notes = [notify(r, MAIL.key, "三次之一")[0] for r in recipients]
    assert time.monotonic() - started < HANG_BOUND
    for note in notes:
        assert Delivery.objects.get(notification=note).status == Delivery.Status.PENDING
    # The retry button and requeue_notifications meet the same pause, and return at once.
    started = time.monotonic()
    call_command("requeue_notifications", "--older-than", "0", verbosity=0)
    assert time.monotonic() - started < 1


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_what_waited_for_the_broker_is_delivered_when_it_returns(broker):
    recipient = person()
    mail.outbox.clear()

    first, elapsed = save_and_notify(recipient, "Redis 停了")
    assert elapsed < HANG_BOUND
    broker.set("hang")
    second, elapsed = save_and_notify(recipient, "Redis 卡住")
    assert elapsed < HANG_BOUND
    deliveries = [assert_kept_pending(n, n.title) for n in (first, second)]

    # Still away: the safety net gives up quickly and keeps them pending.
    started = time.monotonic()
    call_command("requeue_notifications", "--older-than", "0", verbosity=0)
    assert time.monotonic() - started < HANG_BOUND
    assert mail.outbox == []

    # Redis is back at the same address: requeue, and a worker delivers.
    broker.set("forward")
    call_command("requeue_notifications", "--older-than", "0", verbosity=0)
    with worker():
        assert wait_for(
            lambda: all(
                Delivery.objects.get(pk=d.pk).status == Delivery.Status.SENT for d in deliveries
            )
        )
    # The subject is "心理辅导平台：…" (a Chinese colon in a Chinese subject).
    assert sorted(m.subject.split("：", 1)[1] for m in mail.outbox) == ["Redis 停了", "Redis 卡住"]
    for d in deliveries:
        d.refresh_from_db()
        assert d.attempts == 1


@needs_redis_url
@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_the_email(real_broker, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    recipient = person()
    mail.outbox.clear()
    with worker():
        note, _ = save_and_notify(recipient, "工作进程发信")
        delivery = Delivery.objects.get(notification=note)
        assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT)
    assert [m.to for m in mail.outbox] == [[recipient.email]]
    assert "工作进程发信" in mail.outbox[0].subject


@needs_redis_url
@pytest.mark.django_db(transaction=True)
def test_a_worker_retries_a_failing_robot_with_backoff(real_broker, settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 1
    server = RobotServer(answers=[(500, {}), (200, {"errcode": 0})])
    try:
        recipient = person(email="")
        school = recipient.roles.get().school
        WebhookChannel.objects.create(school=school, provider="wecom", url=server.url())
        with worker():
            with transaction.atomic():
                [note] = notify(recipient, ROBOT.key, "重试")
            delivery = Delivery.objects.get(notification=note)
            assert wait_for(
                lambda: Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT
            )
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        assert len(server.posts) == 2
    finally:
        server.close()
