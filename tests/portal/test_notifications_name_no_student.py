"""What notifications say, by every channel: no tier-3 name or text, no sensitive kind to a
group robot, no one else's notification opened."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.models import (
    Alert,
    Barometer,
    BarometerSettings,
    ConcernKind,
    CourseSuggestion,
    TalkTask,
)
from counseling.models import Student
from counseling.notifications.models import Delivery, Notification, WebhookChannel
from tests.portal.tier3 import (
    NOTE_FOLLOW_UP,
    NOTE_IMMEDIATE,
    NOTE_TALK,
    NOTES,
    leaks,
    text_of,
)

# --- 3. Notifications ----------------------------------------------------------------------


def test_notifications_name_no_student(world, monkeypatch, settings):
    """With a group robot and every channel chosen for every kind (a sensitive one too, as
    an administrator could set by hand), what goes out names no tier-3 student and carries
    no tier-3 text; sensitive kinds never reach the robot; the class teacher is told of its
    class's alert without a name."""
    from counseling.notifications import channels, services
    from counseling.notifications.models import NotificationPreference
    from counseling.notifications.registry import kinds

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    WebhookChannel.objects.create(
        school=world.school, provider=WebhookChannel.Provider.WECOM, url="https://robot.invalid/x"
    )
    people = [world.user(u) for u in ["counselor", "counselor2", "teacher", "member", "liaison"]]
    for user in people:
        user.email = f"{user.username}@school.invalid"
        user.save(update_fields=["email"])
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=u, kind=k.key, email=True, webhook=True)
        for u in people
        for k in kinds()
    )
    posted = []
    monkeypatch.setattr(
        channels, "post_webhook", lambda channel, text, mobile="": posted.append(text)
    )
    start = Notification.objects.order_by("-pk").values_list("pk", flat=True).first()

    # What sends notifications about students: an immediate report (a red alert), a
    # barometer naming a student as urgent in a thunderstorm week with a suggestion, a
    # hand-over, a recorded talk, a follow-up, an answered suggestion.
    named = Student.objects.get(pk=world.report.student_pk)
    barometer_services.immediate_report(
        world.member, world.focus, world.semester, named, NOTE_IMMEDIATE
    )
    filed = Barometer.objects.filter(semester=world.semester, school_class=world.focus)
    week = next(w for w in world.semester.teaching_weeks() if not filed.filter(week=w).exists())
    when = BarometerSettings.for_school(world.school).deadline(
        world.semester, week
    ) - datetime.timedelta(days=3)
    barometer_services.file_barometer(
        world.member,
        world.focus,
        world.semester,
        week,
        barometer_services.Filing(
            weather=5,
            students=[(named, ConcernKind.FAMILY, "urgent", NOTE_IMMEDIATE)],
            suggestions=[f"请关照{named.name}"],
        ),
        now=when,
    )
    alert = Alert.objects.filter(school=world.school, rule=Alert.Rule.URGENT).latest("pk")
    barometer_services.reassign_alert(alert, world.counselor, world.user("counselor2"))
    barometer_services.follow_up(alert, world.counselor, NOTE_FOLLOW_UP)
    task = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True).first()
    if task is not None:
        barometer_services.complete_talk_task(task, world.member, NOTE_TALK)
    suggestion = CourseSuggestion.objects.filter(barometer__school_class=world.focus).latest("pk")
    barometer_services.answer_suggestion(suggestion, world.user("liaison"), True, "采纳")

    sent = Notification.objects.filter(pk__gt=start or 0)
    assert sent.filter(kind__startswith="committees.alert").exists()
    pending = Delivery.objects.filter(notification__in=sent, status=Delivery.Status.PENDING)
    assert pending.filter(channel="email").exists() and pending.filter(channel="webhook").exists()
    # A webhook row for a sensitive kind, as if written before the kind was marked so.
    sensitive = sent.filter(kind="committees.alert_red").first()
    Delivery.objects.get_or_create(
        notification=sensitive, channel="webhook", defaults={"next_attempt_at": timezone.now()}
    )
    for pk in list(pending.values_list("pk", flat=True)):
        services.send(pk)

    secret = list(world.names.values()) + NOTES
    out = posted + [f"{m.subject}\n{m.body}" for m in mail.outbox]
    assert mail.outbox and posted
    assert not [t for t in out if any(s in t for s in secret)]
    for n in sent:
        text = f"{n.title}\n{n.body}\n{n.url}"
        assert not any(s in text for s in secret), (n.kind, text)
    for n in Notification.objects.all():  # the world's own too
        assert not any(s in f"{n.title}\n{n.body}" for s in secret), n.kind
    robot = Delivery.objects.filter(notification__in=sent, channel="webhook")
    assert (
        not robot.filter(notification__kind__in=[k.key for k in kinds() if k.sensitive])
        .exclude(status=Delivery.Status.FAILED)
        .exists()
    )
    assert robot.get(notification=sensitive).status == Delivery.Status.FAILED
    assert not any(sensitive.title in t for t in posted)
    # The suggestion's text (a member's free writing) stays behind the link.
    told_liaison = sent.get(kind="committees.suggestion")
    assert told_liaison.body == "" and told_liaison.url
    assert not [t for t in out if "请关照" in t]
    # The teacher is told once a week of its class's alerts: the world's own immediate
    # report told it already, so its notices are read from the start.
    told = Notification.objects.filter(recipient=world.teacher, kind="committees.alert_teacher")
    assert told.exists()
    for n in told:
        assert world.focus.name in n.title and not n.url


def test_the_teachers_inbox_names_no_student(world, client):
    client.force_login(world.teacher)
    page = text_of(client.get(reverse("notifications:inbox")))
    assert "预警" in page or "alert" in page.lower()
    assert not leaks(world, page, "teacher", "notifications:inbox")
    for n in Notification.objects.filter(recipient=world.teacher):
        detail = text_of(client.get(reverse("notifications:detail", args=[n.pk])))
        assert not leaks(world, detail, "teacher", "notifications:detail")


@pytest.mark.parametrize("who", ["admin", "counselor2", "principal", "teacher", "member"])
def test_another_persons_notification_is_not_found(world, client, who):
    notification = world.home["notification"]  # the head counselor's
    client.force_login(world.user(who))
    assert client.get(reverse("notifications:detail", args=[notification.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None
