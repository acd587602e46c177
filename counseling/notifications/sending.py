"""One attempt at one delivery: what the task runs, below the services that queue it.

The rules: sending claims the delivery under its lease and sends only what is still
pending, so a task that arrives twice sends once; the attempt is counted before sending; a
failed attempt is retried with exponential backoff, a bounded number of times; a group
robot's messages go out in order and within its window.
Queueing (counseling.notifications.services) imports the task, the task imports this.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from counseling import jobs
from counseling.models import Role, SchoolClass
from counseling.notifications import throttle
from counseling.notifications.channels import (
    SENDERS,
    ConfigurationError,
    PermanentDeliveryError,
    RateLimitedError,
)
from counseling.notifications.models import Delivery, Notification, WebhookChannel

logger = logging.getLogger(__name__)


def max_attempts():
    return getattr(settings, "NOTIFICATIONS_MAX_ATTEMPTS", 5)


def backoff(attempts):
    """Seconds before the next attempt after `attempts` failures: base, 2×, 4×, … capped."""
    base = getattr(settings, "NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
    cap = getattr(settings, "NOTIFICATIONS_RETRY_MAX_SECONDS", 60 * 60)
    return min(base * 2 ** max(attempts - 1, 0), cap)


def school_ids_of(user_ids):
    """{user id: [school ids]} from current roles and taught classes (two queries)."""
    schools = {}
    for user_id, school_id in (
        Role.objects.current().filter(user_id__in=user_ids).values_list("user_id", "school_id")
    ):
        schools.setdefault(user_id, []).append(school_id)
    taught = SchoolClass.objects.filter(class_teacher_id__in=user_ids, is_active=True)
    for user_id, school_id in taught.values_list("class_teacher_id", "department__school_id"):
        schools.setdefault(user_id, []).append(school_id)
    return {user_id: sorted(set(ids)) for user_id, ids in schools.items()}


def webhook_channel_for(user):
    """The active group robot of the user's first school that has one, else None."""
    school_ids = school_ids_of([user.pk]).get(user.pk, [])
    return (
        WebhookChannel.objects.active()
        .filter(school_id__in=school_ids)
        .order_by("school_id")
        .first()
    )


@dataclass
class Outcome:
    status: str | None  # None: no such delivery
    sent: bool = False  # sent by this call
    retry_in: int | None = None  # seconds until the next attempt, when one is planned


LEASE = "notifications"
# Another worker is sending the delivery: look again this much later (it is sent by then,
# or its worker died and its lease went with its database session).
BUSY_SECONDS = 10


def send(delivery_id):
    """One attempt at one delivery, if it is still pending. Safe to call twice.

    The attempt is claimed and counted in its own transaction before anything is sent, under
    the delivery's lease: a worker killed mid-send has used up the attempt, the delivery is
    due again after the backoff (reconcile_jobs sends it then), and a delivery that kills
    its worker every time ends, failed, after the bounded attempts. A second task while the
    first is at work finds the lease taken and looks again later."""
    lease = jobs.Lease(LEASE, delivery_id)
    if not lease.acquire():
        return Outcome(Delivery.Status.PENDING, retry_in=BUSY_SECONDS)
    try:
        claimed = _claim(delivery_id)
        if not isinstance(claimed, Delivery):
            return claimed
        return _attempt(claimed)
    finally:
        lease.release()


def _claim(delivery_id):
    """The delivery with its attempt counted and committed, or the Outcome of not trying."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None:
            logger.info("notification delivery %s no longer exists", delivery_id)
            return Outcome(None)
        if delivery.status != Delivery.Status.PENDING:
            return Outcome(delivery.status)
        now = timezone.now()
        if delivery.attempt_started_at and delivery.attempts >= max_attempts():
            # Its last attempt never came back (the worker died sending it): no more.
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            delivery.attempt_started_at = None
            delivery.last_error = (
                f"Given up after {delivery.attempts} attempts (the worker stopped during the last)."
            )
            delivery.save(
                update_fields=[
                    "status",
                    "next_attempt_at",
                    "attempt_started_at",
                    "last_error",
                    "updated_at",
                ]
            )
            return Outcome(delivery.status)
        wait = _robot_wait(delivery) if delivery.robot_id else 0
        if wait:
            # Not an attempt: the robot's window is full, or an older message goes first.
            delivery.next_attempt_at = now + datetime.timedelta(seconds=wait)
            delivery.save(update_fields=["next_attempt_at", "updated_at"])
            return Outcome(Delivery.Status.PENDING, retry_in=max(1, round(wait)))
        delivery.attempts += 1
        delivery.attempt_started_at = now
        # Should the worker die sending it, this is when it is due again.
        delivery.next_attempt_at = now + datetime.timedelta(seconds=backoff(delivery.attempts))
        delivery.save(
            update_fields=["attempts", "attempt_started_at", "next_attempt_at", "updated_at"]
        )
    return delivery


def _attempt(delivery):
    """Send a claimed delivery and record how it went."""
    notification = Notification.objects.select_related("recipient").get(pk=delivery.notification_id)
    now = timezone.now()
    outcome = Outcome(Delivery.Status.PENDING)
    robot = {}
    if delivery.channel == Delivery.Channel.WEBHOOK and not delivery.robot_id:
        robot["robot"] = webhook_channel_for(notification.recipient)
    try:
        SENDERS[delivery.channel](notification, delivery, **robot)
    except RateLimitedError as exc:
        # Someone else posts to the same robot too: wait a whole window, and an
        # answer "too fast" does not use up the delivery's attempts.
        delivery.attempts -= 1
        delivery.last_error = str(exc)[:2000]
        throttle.block(delivery.robot_id or 0, throttle.WINDOW)
        outcome.retry_in = int(throttle.WINDOW)
        delivery.next_attempt_at = now + datetime.timedelta(seconds=outcome.retry_in)
    except Exception as exc:
        delivery.last_error = str(exc)[:2000] or type(exc).__name__
        permanent = isinstance(exc, PermanentDeliveryError)
        if isinstance(exc, ConfigurationError) and delivery.robot_id:
            WebhookChannel.objects.filter(pk=delivery.robot_id).update(
                last_error=delivery.last_error[:500], last_error_at=now
            )
        if permanent or delivery.attempts >= max_attempts():
            delivery.status = Delivery.Status.FAILED
            delivery.next_attempt_at = None
            logger.warning(
                "notification delivery %s failed for good after %d attempts: %s",
                delivery.pk,
                delivery.attempts,
                delivery.last_error,
            )
        else:
            outcome.retry_in = backoff(delivery.attempts)
            delivery.next_attempt_at = now + datetime.timedelta(seconds=outcome.retry_in)
            logger.info(
                "notification delivery %s attempt %d failed, next in %ss: %s",
                delivery.pk,
                delivery.attempts,
                outcome.retry_in,
                delivery.last_error,
            )
    else:
        if delivery.robot_id:
            WebhookChannel.objects.filter(pk=delivery.robot_id).exclude(last_error="").update(
                last_error="", last_error_at=None
            )
        delivery.status = Delivery.Status.SENT
        delivery.sent_at = now
        delivery.last_error = ""
        delivery.next_attempt_at = None
        outcome.sent = True
    delivery.attempt_started_at = None
    delivery.save(
        update_fields=[
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "attempt_started_at",
            "sent_at",
            "updated_at",
        ]
    )
    outcome.status = delivery.status
    return outcome


def _robot_wait(delivery):
    """Seconds this robot message must wait: behind an older pending one of the same robot
    (messages go out in order), or for a free slot in the robot's window."""
    older = (
        Delivery.objects.filter(
            robot_id=delivery.robot_id, status=Delivery.Status.PENDING, pk__lt=delivery.pk
        )
        .order_by("pk")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    if older is not None:
        return max((older - timezone.now()).total_seconds(), 0) + 1
    return throttle.acquire(delivery.robot_id)
