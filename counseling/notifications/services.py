"""Writing notifications and queueing their deliveries (sending one: `sending`).

The rules that make the broker not the source of truth live here:
- notify() writes rows in the caller's transaction and queues only after commit;
- queueing swallows every broker error (the row stays pending for requeue_notifications);
- a delivery is sent by the task (counseling.notifications.sending.send), once.
"""

import logging
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model
from django.utils import timezone, translation

from counseling.models import Role, SchoolClass
from counseling.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    WebhookChannel,
)
from counseling.notifications.registry import get_kind, kinds
from counseling.notifications.sending import school_ids_of, send
from counseling.notifications.tasks import deliver

logger = logging.getLogger(__name__)

CHANNELS = [c.value for c in Delivery.Channel]


# Who gets what.


def _users(recipients):
    """Active users, each once, from one user, an iterable of users or ids, or a queryset."""
    if recipients is None:
        return []
    if isinstance(recipients, Model):
        recipients = [recipients]
    User = get_user_model()
    ids = []
    for r in recipients:
        pk = r.pk if isinstance(r, Model) else r
        if pk is not None and pk not in ids:
            ids.append(pk)
    users = User.objects.filter(pk__in=ids, is_active=True).in_bulk()
    return [users[pk] for pk in ids if pk in users]


STAFF_ROLES = (Role.Kind.SCHOOL_ADMIN, Role.Kind.COUNSELOR, Role.Kind.LIAISON)


def staff_ids(user_ids):
    """The staff among the users (never students or committee members): they may be
    @-mentioned in a group; a student is never named there."""
    ids = set(
        Role.objects.current()
        .filter(user_id__in=user_ids, kind__in=STAFF_ROLES)
        .values_list("user_id", flat=True)
    )
    ids |= set(
        SchoolClass.objects.filter(class_teacher_id__in=user_ids, is_active=True).values_list(
            "class_teacher_id", flat=True
        )
    )
    return ids


def chosen_channels(user_ids, kind):
    """{user id: {channel: bool}}: each person's choice for the kind, else its default."""
    spec = get_kind(kind)
    chosen = {user_id: {c: spec.default(c) for c in CHANNELS} for user_id in user_ids}
    for pref in NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind):
        chosen[pref.user_id] = {c: getattr(pref, c) and spec.allows(c) for c in CHANNELS}
    return chosen


def preferences_of(user):
    """[(kind, {channel: bool})] for every registered kind: the preferences page."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for spec in kinds():
        pref = stored.get(spec.key)
        rows.append(
            (
                spec,
                {
                    c: (getattr(pref, c) if pref else spec.default(c)) and spec.allows(c)
                    for c in CHANNELS
                },
            )
        )
    return rows


def save_preferences(user, choices):
    """Store {kind key: {channel: bool}} for the user, one row per registered kind."""
    with transaction.atomic():
        for spec in kinds():
            chosen = choices.get(spec.key, {})
            NotificationPreference.objects.update_or_create(
                user=user,
                kind=spec.key,
                defaults={c: bool(chosen.get(c)) and spec.allows(c) for c in CHANNELS},
            )


# Writing.


def _text(value, limit=None):
    # Lazy strings are rendered in the portal's language: recipients read them, not the actor.
    with translation.override(settings.LANGUAGE_CODE):
        text = str(value or "")
    return text[:limit] if limit else text


def notify(recipients, kind, title, body="", url=""):
    """Notify people of something that happened; returns the Notification rows written.

    Call it inside the transaction of the action: the inbox rows and their deliveries are
    written with it and vanish with it if it rolls back; sending starts only after commit.
    Outside channels follow each person's preferences for the kind (else its defaults); the
    group robot only where the person's school has an active one. Inactive users are skipped.
    """
    spec = get_kind(kind)  # an unknown kind is a programming error: fail loudly
    users = _users(recipients)
    if not users:
        return []
    user_ids = [u.pk for u in users]
    chosen = chosen_channels(user_ids, spec.key)
    robot_of, staff = {}, set()
    if any(chosen[pk]["webhook"] for pk in user_ids):
        schools = school_ids_of(user_ids)
        robots = {
            c.school_id: c
            for c in WebhookChannel.objects.active().filter(
                school_id__in={s for ids in schools.values() for s in ids}
            )
        }
        for pk, ids in schools.items():
            robot = next((robots[s] for s in ids if s in robots), None)
            if robot is not None:
                robot_of[pk] = robot
        staff = staff_ids([pk for pk in robot_of if chosen[pk]["webhook"]])
    now = timezone.now()
    title, body, url = _text(title, 200), _text(body), _text(url, 500)
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            [
                Notification(
                    recipient=u, kind=spec.key, title=title, body=body, url=url, created_at=now
                )
                for u in users
            ]
        )
        deliveries, groups = [], {}
        for n in notifications:
            wants = chosen[n.recipient_id]
            if wants["email"] and n.recipient.email:
                deliveries.append(Delivery(notification=n, channel="email"))
            if wants["webhook"] and n.recipient_id in robot_of:
                robot = robot_of[n.recipient_id]
                groups.setdefault(robot.pk, (robot, []))[1].append(n)
        # One group message per robot for the whole event: a meeting cancelled for 60
        # members is one post, naming no one; staff who chose the robot are @-mentioned.
        for robot, notes in groups.values():
            mentions = [
                n.recipient.phone for n in notes if n.recipient_id in staff and n.recipient.phone
            ]
            deliveries.append(
                Delivery(notification=notes[0], channel="webhook", robot=robot, mentions=mentions)
            )
        for d in deliveries:
            d.next_attempt_at = now
            d.created_at = now
        deliveries = Delivery.objects.bulk_create(deliveries)
        if deliveries:
            ids = [d.pk for d in deliveries]
            # robust: nothing raised after commit may reach the action that committed.
            transaction.on_commit(lambda: queue(ids), robust=True)
    return notifications


# Queueing.


# When the broker last failed us (time.monotonic()), in this process.
_broker_failed_at = None


def _broker_paused():
    """After a failed publish, don't try again for a while: an action that notifies several
    times must not wait for the broker's timeout each time."""
    pause = getattr(settings, "NOTIFICATIONS_BROKER_PAUSE_SECONDS", 30)
    return _broker_failed_at is not None and time.monotonic() - _broker_failed_at < pause


def queue(delivery_ids):
    """Hand deliveries to Celery; returns how many were handed over. Never raises.

    A broker that is down or hangs costs one bounded publish attempt (see the CELERY_*
    timeouts in settings), then none for NOTIFICATIONS_BROKER_PAUSE_SECONDS; what was not
    handed over stays pending for requeue_notifications.
    """
    global _broker_failed_at
    eager = bool(deliver.app.conf.task_always_eager)
    if not eager and delivery_ids and _broker_paused():
        logger.info(
            "broker failed recently; %d notification deliveries left pending", len(delivery_ids)
        )
        return 0
    queued = 0
    for pk in delivery_ids:
        try:
            deliver.apply_async(args=[pk])
        except Exception:
            if eager:
                # Inline sending failed in our own code: log it and go on with the others.
                logger.exception("notification delivery %s failed inline", pk)
                continue
            _broker_failed_at = time.monotonic()
            logger.warning(
                "could not queue notification delivery %s; %d left pending for "
                "requeue_notifications",
                pk,
                len(delivery_ids) - queued,
                exc_info=True,
            )
            break
        queued += 1
    return queued


def retry(deliveries):
    """Give failed (or pending) deliveries another attempt now; returns the ids to queue.

    Attempts are not reset: a delivery past its bound gets exactly one more try.
    """
    ids = list(deliveries.exclude(status=Delivery.Status.SENT).values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(
        status=Delivery.Status.PENDING, next_attempt_at=timezone.now()
    )
    return ids


def requeue(older_than=120, inline=False, limit=1000):
    """Send or re-queue pending deliveries due for `older_than` seconds. Returns (found, done).

    Queued ones get a new due time (now), so the next run leaves them to the worker for
    another `older_than` seconds; a duplicate task is harmless anyway.
    """
    ids = list(Delivery.objects.due(older_than).order_by("pk").values_list("pk", flat=True)[:limit])
    if inline:
        done = sum(1 for pk in ids if send(pk).sent)
        return len(ids), done
    done = 0
    for pk in ids:
        if not queue([pk]):
            break  # the broker is still away: leave the rest for the next run
        Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).update(
            next_attempt_at=timezone.now()
        )
        done += 1
    return len(ids), done
