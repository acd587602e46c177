"""/healthz: 200 when every part answers, 503 naming the part that does not; no secrets."""

import datetime
import json
import os
import time

import pytest
from django.core.cache import cache
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from counseling import health
from counseling.models import Role
from counseling.notifications.models import Delivery, Notification
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db

# Nothing listens on port 1: a Redis that is down.
DEAD_REDIS = {
    "REDIS_URL": "redis://127.0.0.1:1/8",
    "CACHES": {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/8",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    },
}

# The embedded default, whatever the environment says: no Redis, tasks inline, a local cache.
EMBEDDED = {
    "REDIS_URL": "",
    "CELERY_TASK_ALWAYS_EAGER": True,
    "CACHES": {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
}


def get(client):
    response = client.get(reverse("healthz"))
    return response.status_code, json.loads(response.content)


@override_settings(**EMBEDDED)
def test_all_parts_up_in_the_embedded_mode(client):
    status, body = get(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {
            "database": "ok",
            "redis": "not configured",
            "workers": "inline",
            "stuck_jobs": {"notifications": 0, "exports": 0, "scheduled": 0},
        },
    }


def test_redis_down_is_503_while_user_pages_stay_up(client):
    user = RoleFactory(kind=Role.Kind.COUNSELOR).user
    with override_settings(**DEAD_REDIS):
        started = time.monotonic()
        status, body = get(client)
        assert time.monotonic() - started < 3
        assert status == 503 and body["status"] == "fail"
        assert body["checks"]["redis"] == "down" and body["checks"]["database"] == "ok"
        client.force_login(user)
        assert client.get(reverse("home")).status_code == 200
        assert "127.0.0.1" not in json.dumps(body)  # no addresses, no secrets


def test_workers_without_a_heartbeat_are_down(client):
    with override_settings(CELERY_TASK_ALWAYS_EAGER=False):
        cache.delete(health.HEARTBEAT_KEY)
        status, body = get(client)
        assert status == 503 and body["checks"]["workers"] == "down"
        health.WorkerHeartbeat(parent=None).beat()  # what a running worker does
        status, body = get(client)
        assert status == 200 and body["checks"]["workers"] == "ok"
        cache.set(health.HEARTBEAT_KEY, str(time.time() - 3600))  # a worker long gone
        assert get(client)[0] == 503


@override_settings(**EMBEDDED)
def test_stuck_notifications_are_a_backlog(client):
    person = RoleFactory(kind=Role.Kind.COUNSELOR).user
    note = Notification.objects.create(recipient=person, kind="x", title="积压")
    Delivery.objects.create(
        notification=note, channel="email", next_attempt_at=timezone.now()
    )  # due now: not stuck yet
    assert get(client)[0] == 200
    Delivery.objects.create(
        notification=note,
        channel="webhook",
        next_attempt_at=timezone.now() - datetime.timedelta(hours=1),
    )
    status, body = get(client)
    assert status == 503 and body["checks"]["stuck_jobs"] == {
        "notifications": 1,
        "exports": 0,
        "scheduled": 0,
    }


def test_another_app_registers_its_backlog(client, monkeypatch):
    monkeypatch.setitem(health._BACKLOGS, "exports", lambda: 2)
    status, body = get(client)
    assert status == 503 and body["checks"]["stuck_jobs"]["exports"] == 2


def test_database_down_is_503(client, monkeypatch):
    def broken():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", broken)
    status, body = get(client)
    assert status == 503 and body["checks"]["database"] == "down"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the real Redis")
def test_real_redis_answers(client):
    status, body = get(client)
    assert body["checks"]["redis"] == "ok"
