"""A notification's attempt is counted when it is claimed, before anything is sent: a
worker killed mid-send has used it up, the delivery is due again after the backoff, and
a delivery that kills its worker every time ends, failed, after the bounded attempts.
On the real database (committed transactions), as a killed worker leaves it."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from counseling.notifications import services
from counseling.notifications.models import Delivery, Notification
from counseling.notifications.sending import BUSY_SECONDS, LEASE, SENDERS, backoff, send
from tests.factories import UserFactory
from tests.jobs.leases import held_elsewhere

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerKilled(BaseException):
    """A kill -9 as the sending code sees it: nothing after it runs, no `except Exception`,
    and the open transaction is lost."""


@pytest.fixture
def delivery():
    user = UserFactory(email="teacher@example.edu.cn")
    notification = Notification.objects.create(recipient=user, kind="tests.kind", title="hi")
    return Delivery.objects.create(
        notification=notification, channel=Delivery.Channel.EMAIL, next_attempt_at=timezone.now()
    )


@pytest.fixture
def sends(monkeypatch):
    """Each e-mail attempt is written down, then its worker is killed."""
    calls = []

    def killed(notification, delivery, **kwargs):
        calls.append(delivery.attempts)
        raise WorkerKilled

    monkeypatch.setitem(SENDERS, Delivery.Channel.EMAIL, killed)
    return calls


def test_an_attempt_killed_mid_send_is_counted(delivery, sends):
    with pytest.raises(WorkerKilled):
        send(delivery.pk)
    delivery.refresh_from_db()
    assert sends == [1]
    assert delivery.attempts == 1 and delivery.status == Delivery.Status.PENDING
    assert delivery.attempt_started_at is not None
    # Not due at once: after the backoff, when reconcile_jobs sends it again.
    assert not Delivery.objects.due().filter(pk=delivery.pk).exists()
    later = timezone.now() + datetime.timedelta(seconds=backoff(1) + 1)
    with time_machine.travel(later, tick=False):
        assert Delivery.objects.due().filter(pk=delivery.pk).exists()


def test_a_delivery_that_kills_its_worker_each_time_ends_failed(delivery, sends, settings):
    for _ in range(settings.NOTIFICATIONS_MAX_ATTEMPTS + 3):
        Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        try:
            send(delivery.pk)
        except WorkerKilled:
            continue
    delivery.refresh_from_db()
    assert sends == list(range(1, settings.NOTIFICATIONS_MAX_ATTEMPTS + 1))
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == settings.NOTIFICATIONS_MAX_ATTEMPTS
    assert "worker stopped" in delivery.last_error and delivery.attempt_started_at is None


def test_a_given_up_delivery_retried_by_hand_gets_one_more_try(delivery, sends, settings):
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Delivery.Status.FAILED,
        next_attempt_at=None,
        attempts=settings.NOTIFICATIONS_MAX_ATTEMPTS,
    )
    services.retry(Delivery.objects.filter(pk=delivery.pk))
    with pytest.raises(WorkerKilled):
        send(delivery.pk)
    assert sends == [settings.NOTIFICATIONS_MAX_ATTEMPTS + 1]


def test_a_sent_attempt_clears_its_claim(delivery, monkeypatch):
    monkeypatch.setitem(SENDERS, Delivery.Channel.EMAIL, lambda n, d, **kw: None)
    assert send(delivery.pk).sent
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 1
    assert delivery.attempt_started_at is None and delivery.next_attempt_at is None
    assert not send(delivery.pk).sent  # delivered twice, sent once


@pytest.mark.skipif(connection.vendor != "postgresql", reason="leases are PostgreSQL's")
def test_a_second_task_while_the_first_sends_looks_again_later(delivery, sends):
    with held_elsewhere(LEASE, delivery.pk):
        outcome = send(delivery.pk)
    assert outcome.retry_in == BUSY_SECONDS and sends == []
    delivery.refresh_from_db()
    assert delivery.attempts == 0
