"""The notification service: inbox, preferences, e-mail, group robots, retries, idempotence.

Celery runs eagerly here (the embedded default), whatever the environment says: these tests
are about the service; tests/counseling/test_notifications_broker.py is about the broker.
"""

import base64
import datetime
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from counseling.celery import app as celery_app
from counseling.models import Role, School
from counseling.notifications import notify, register_kind
from counseling.notifications.context_processors import notifications as bell_context
from counseling.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    WebhookChannel,
)
from counseling.notifications.tasks import deliver
from tests.factories import SchoolFactory, UserFactory
from tests.personas import signed_in

MAIL = register_kind("tests.mail", label="Test mail", email=True)
ROBOT = register_kind("tests.robot", label="Test robot", webhook=True)
QUIET = register_kind("tests.quiet", label="Test inbox only")
SECRET = register_kind("tests.secret", label="Test confidential", email=True, sensitive=True)


class Rollback(Exception):
    pass


class RobotServer:
    """A group robot on 127.0.0.1: answers from a script, records every POST."""

    def __init__(self, answers=None, delay=0):
        self.answers = list(answers or [(200, {"errcode": 0, "errmsg": "ok"})])
        self.delay = delay
        self.posts = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                parsed = urllib.parse.urlsplit(self.path)
                server.posts.append(
                    {
                        "path": parsed.path,
                        "query": urllib.parse.parse_qs(parsed.query),
                        "json": body,
                    }
                )
                status, answer = (
                    server.answers.pop(0) if len(server.answers) > 1 else server.answers[0]
                )
                time.sleep(server.delay)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/cgi-bin/webhook/send?key=test-key"):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def robot_server():
    servers = []

    def start(answers=None, delay=0):
        servers.append(RobotServer(answers, delay))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run what notify() queued on commit, as the outermost commit of a request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def eager_celery():
    """Send inline, as the embedded default does, even when REDIS_URL is set."""
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


def staff(school, email="", phone="", **extra):
    """A counselor of the school: the kind of person the school's robot names."""
    user = UserFactory(email=email, phone=phone, **extra)
    Role.objects.create(user=user, kind=Role.Kind.COUNSELOR, school=school)
    return user


def robot(school, server, provider="wecom", secret=""):
    return WebhookChannel.objects.create(
        school=school, provider=provider, url=server.url(), secret=secret
    )


def delivery_of(notification, channel):
    return Delivery.objects.get(notification=notification, channel=channel)


# Transactions: nothing before commit, nothing after a rollback.


@pytest.mark.django_db(transaction=True)
def test_rolled_back_action_leaves_nothing_and_committed_one_sends_once():
    school = SchoolFactory()
    person = staff(school, email="lin@example.edu.cn")
    mail.outbox.clear()

    with pytest.raises(Rollback), transaction.atomic():
        School.objects.create(name="回滚学校")
        notify(person, MAIL.key, "不该出现")
        raise Rollback
    assert not Notification.objects.filter(recipient=person).exists()
    assert not Delivery.objects.filter(notification__recipient=person).exists()
    assert not School.objects.filter(name="回滚学校").exists()
    assert mail.outbox == []

    with transaction.atomic():
        School.objects.create(name="提交学校")
        [note] = notify(person, MAIL.key, "会议改期", body="周三改到周四。", url="/x/")
        # Written in the transaction, but nothing sent before it commits.
        assert delivery_of(note, "email").status == Delivery.Status.PENDING
        assert mail.outbox == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lin@example.edu.cn"]
    assert "会议改期" in mail.outbox[0].subject
    assert "周三改到周四。" in mail.outbox[0].body
    sent = delivery_of(note, "email")
    assert (sent.status, sent.attempts) == (Delivery.Status.SENT, 1)
    assert sent.sent_at is not None and sent.next_attempt_at is None


@pytest.mark.django_db
def test_unknown_kind_fails_loudly(world):
    with pytest.raises(LookupError):
        notify(world.teacher, "tests.no_such_kind", "?")


def test_registering_a_taken_key_differently_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    assert register_kind("tests.mail", label="Test mail", email=True) == MAIL
    with pytest.raises(ImproperlyConfigured):
        register_kind("tests.mail", label="Test mail", webhook=True)
    with pytest.raises(ImproperlyConfigured):
        register_kind("tests.bad", label="x", webhook=True, sensitive=True)
    with pytest.raises(ImproperlyConfigured):
        register_kind("NoDot", label="x")


@pytest.mark.django_db
def test_each_recipient_once_and_inactive_ones_skipped(world):
    teacher, member = world.teacher, world.member
    gone = UserFactory(is_active=False)
    notes = notify([teacher, member, teacher, gone], QUIET.key, "一次")
    assert sorted(n.recipient_id for n in notes) == sorted([teacher.pk, member.pk])
    assert notify([], QUIET.key, "nobody") == []


# The inbox and the bell.


@pytest.mark.django_db
def test_bell_inbox_and_mark_read(world, client, django_assert_num_queries):
    teacher = world.teacher
    Notification.objects.filter(recipient=teacher).mark_read()  # whatever the world sent
    with transaction.atomic():
        first = notify(teacher, QUIET.key, "第一条", url="/semesters/")[0]
        notify(teacher, QUIET.key, "第二条", body="正文")
        notify(teacher, QUIET.key, "第三条")
    client = signed_in(client, world.teacher)

    page = client.get(reverse("home")).content.decode()
    assert 'data-unread="3"' in page

    class Request:
        user = teacher

    context = bell_context(Request())
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 3
        assert context["unread_notifications"] > 0  # evaluated once, then cached

    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "第一条" in inbox and "第三条" in inbox and "正文" in inbox

    # Opening marks read (POST), then leads to the page it is about.
    response = client.post(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/semesters/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'data-unread="2"' in client.get(reverse("home")).content.decode()
    unread = client.get(reverse("notifications:inbox") + "?show=unread").content.decode()
    assert "第一条" not in unread and "第二条" in unread

    # Without a link it opens its own page; a GET never changes anything.
    second = Notification.objects.get(title="第二条")
    assert client.get(reverse("notifications:open", args=[second.pk])).status_code == 405
    response = client.post(reverse("notifications:open", args=[second.pk]))
    assert response["Location"] == reverse("notifications:detail", args=[second.pk])
    assert "正文" in client.get(response["Location"]).content.decode()

    assert client.get(reverse("notifications:mark-all-read")).status_code == 405
    client.post(reverse("notifications:mark-all-read"))
    assert not Notification.objects.filter(recipient=teacher).unread().exists()
    assert "data-unread" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_a_user_sees_only_its_own_notifications(world, client):
    theirs = notify(world.member, QUIET.key, "委员的通知")[0]
    notify(world.teacher, QUIET.key, "老师的通知")
    client = signed_in(client, world.teacher)
    inbox = client.get(reverse("notifications:inbox")).content.decode()
    assert "老师的通知" in inbox and "委员的通知" not in inbox
    assert client.get(reverse("notifications:detail", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:mark-all-read"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # Not even the system administrator opens someone else's inbox.
    admin = signed_in(client, world.admin)
    assert admin.get(reverse("notifications:detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_opening_never_redirects_off_site(world, client):
    note = notify(world.teacher, QUIET.key, "外链", url="https://evil.example/")[0]
    response = signed_in(client, world.teacher).post(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:detail", args=[note.pk])


# Preferences.


@pytest.mark.django_db
def test_preferences_decide_the_channels(world, client, robot_server):
    server = robot_server()
    robot(world.school, server)
    teacher = world.teacher
    teacher.email = "teacher@example.edu.cn"
    teacher.save()

    # Defaults: MAIL by e-mail, ROBOT through the school's robot.
    with transaction.atomic():
        by_mail = notify(teacher, MAIL.key, "默认邮件")[0]
        by_robot = notify(teacher, ROBOT.key, "默认机器人")[0]
    assert [d.channel for d in by_mail.deliveries.all()] == ["email"]
    assert [d.channel for d in by_robot.deliveries.all()] == ["webhook"]

    # The person turns e-mail off for MAIL and turns the robot on for QUIET.
    client = signed_in(client, world.teacher)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Test mail" in page and f'name="{MAIL.key}:email"' in page
    data = {f"{QUIET.key}:webhook": "on", f"{ROBOT.key}:webhook": "on"}
    assert client.post(reverse("notifications:preferences"), data).status_code == 302
    assert not NotificationPreference.objects.get(user=teacher, kind=MAIL.key).email

    with transaction.atomic():
        no_mail = notify(teacher, MAIL.key, "不发邮件")[0]
        robot_now = notify(teacher, QUIET.key, "机器人")[0]
    assert not no_mail.deliveries.exists()  # the inbox row is there, no Delivery
    assert [d.channel for d in robot_now.deliveries.all()] == ["webhook"]


@pytest.mark.django_db
def test_confidential_kinds_never_reach_a_group(world, robot_server):
    robot(world.school, robot_server())
    teacher = world.teacher
    teacher.email = "teacher@example.edu.cn"
    teacher.save()
    NotificationPreference.objects.create(user=teacher, kind=SECRET.key, email=True, webhook=True)
    note = notify(teacher, SECRET.key, "关注学生")[0]
    assert [d.channel for d in note.deliveries.all()] == ["email"]


@pytest.mark.django_db
def test_no_robot_or_no_address_means_no_delivery(world):
    teacher = world.teacher  # no e-mail address; the school has no robot
    assert not notify(teacher, MAIL.key, "x")[0].deliveries.exists()
    assert not notify(teacher, ROBOT.key, "y")[0].deliveries.exists()


# Group robots.


@pytest.mark.django_db
def test_webhook_fails_first_then_succeeds_on_retry(world, robot_server, committing):
    server = robot_server(answers=[(500, {"error": "busy"}), (200, {"errcode": 0})])
    robot(world.school, server)
    teacher = world.teacher
    teacher.phone = "13800000001"
    teacher.save()

    with committing():
        note = notify(teacher, ROBOT.key, "明天单周例会", body="地点：心理辅导室", url="/m/1/")[0]
    delivery = delivery_of(note, "webhook")
    assert len(server.posts) == 1
    assert delivery.status == Delivery.Status.PENDING
    assert delivery.attempts == 1
    assert "HTTP 500" in delivery.last_error
    wait = (delivery.next_attempt_at - timezone.now()).total_seconds()
    assert 50 < wait <= 60  # the first backoff step

    # Not due yet: the safety net leaves it alone.
    call_command("requeue_notifications", "--inline", verbosity=0)
    assert len(server.posts) == 1

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2), tick=True):
        call_command("requeue_notifications", "--inline", verbosity=0)
    delivery.refresh_from_db()
    assert len(server.posts) == 2
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert delivery.last_error == ""

    post = server.posts[-1]
    assert post["path"] == "/cgi-bin/webhook/send"
    assert post["json"]["msgtype"] == "text"
    content = post["json"]["text"]["content"]
    # The group reads it: no name in the text, the teacher is @-mentioned by the API.
    assert content.startswith("明天单周例会")
    assert teacher.full_name not in content
    assert "地点：心理辅导室" in content
    assert post["json"]["text"]["mentioned_mobile_list"] == ["13800000001"]


@pytest.mark.django_db
def test_dingtalk_robot_with_secret_signs_its_requests(world, robot_server, settings, committing):
    settings.PORTAL_BASE_URL = "https://xinli.example.edu.cn"
    server = robot_server()
    robot(world.school, server, provider="dingtalk", secret="SECtest-secret")
    teacher = world.teacher
    teacher.phone = "13800000002"
    teacher.save()
    with committing():
        note = notify(teacher, ROBOT.key, "双周培训", url="/t/2/")[0]
    assert delivery_of(note, "webhook").status == Delivery.Status.SENT

    [post] = server.posts
    query = post["query"]
    assert query["key"] == ["test-key"]  # the robot's own parameters are kept
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    assert abs(int(timestamp) / 1000 - time.time()) < 60
    expected = base64.b64encode(
        hmac.new(
            b"SECtest-secret", f"{timestamp}\nSECtest-secret".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert sign == expected
    assert post["json"] == {
        "msgtype": "text",
        "text": {"content": "双周培训\nhttps://xinli.example.edu.cn/t/2/"},
        "at": {"atMobiles": ["13800000002"], "isAtAll": False},
    }  # DingTalk's own field mentions the staff member; the number is not in the text


@pytest.mark.django_db
def test_an_error_code_in_a_2xx_answer_is_a_failure(world, robot_server, committing):
    server = robot_server(answers=[(200, {"errcode": 93000, "errmsg": "invalid webhook url"})])
    robot(world.school, server)
    with committing():
        note = notify(world.teacher, ROBOT.key, "x")[0]
    delivery = delivery_of(note, "webhook")
    # A wrong robot key is the configuration's fault: not retried, shown on the robot.
    assert delivery.status == Delivery.Status.FAILED
    assert "errcode 93000" in delivery.last_error
    assert "93000" in delivery.robot.last_error


@pytest.mark.django_db
def test_failures_are_bounded_then_shown_to_the_administrator(
    world, client, robot_server, settings, committing
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    server = robot_server(answers=[(502, {})])
    robot(world.school, server)
    with committing():
        note = notify(world.teacher, ROBOT.key, "总是失败")[0]
    delivery = delivery_of(note, "webhook")
    moment = timezone.now()
    for minutes in (2, 10, 60):  # past each backoff step
        with time_machine.travel(moment + datetime.timedelta(minutes=minutes), tick=True):
            call_command("requeue_notifications", "--inline", verbosity=0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 3)
    assert len(server.posts) == 3
    assert delivery.next_attempt_at is None

    # The administrator sees it, on the portal page and in the Django admin, and retries it.
    admin = signed_in(client, world.admin)
    page = admin.get(reverse("notifications:deliveries") + "?status=failed").content.decode()
    assert f'data-delivery="{delivery.pk}"' in page and "HTTP 502" in page
    assert "总是失败" not in page  # who and what went wrong, never what was said
    changelist = admin.get(reverse("admin:counseling_delivery_changelist") + "?status=failed")
    assert changelist.status_code == 200 and "HTTP 502" in changelist.content.decode()

    server.answers = [(200, {"errcode": 0})]
    admin.post(reverse("notifications:delivery-retry", args=[delivery.pk]))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 4)

    # Only the system administrator watches the queue.
    counselor = signed_in(client, world.counselor)
    assert counselor.get(reverse("notifications:deliveries")).status_code == 403
    assert counselor.post(reverse("notifications:delivery-retry-failed")).status_code == 403


@pytest.mark.django_db
def test_a_robot_that_is_gone_fails_at_once(world, robot_server, committing):
    channel = robot(world.school, robot_server())
    with committing():
        note = notify(world.teacher, ROBOT.key, "x")[0]
        # Switched off after the notification was written, before it was sent.
        channel.is_active = False
        channel.save()
    delivery = delivery_of(note, "webhook")
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 1)


# Idempotence.


@pytest.mark.django_db
def test_a_task_delivered_twice_sends_once(world, django_capture_on_commit_callbacks):
    teacher = world.teacher
    teacher.email = "teacher@example.edu.cn"
    teacher.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        note = notify(teacher, MAIL.key, "只发一次")[0]
    assert len(callbacks) == 1  # queued after commit only
    delivery = delivery_of(note, "email")

    assert deliver(delivery.pk) == Delivery.Status.SENT
    assert deliver(delivery.pk) == Delivery.Status.SENT
    deliver.apply(args=[delivery.pk])
    callbacks[0]()  # the original on_commit queueing, late
    delivery.refresh_from_db()
    assert len(mail.outbox) == 1
    assert delivery.attempts == 1
    assert deliver(10**9) is None  # a delivery that no longer exists is dropped quietly


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_once(robot_server):
    """Two tasks for the same delivery at the same moment: the lease lets one send, and the
    other is told to look again later (its task retries in BUSY_SECONDS, to find it sent)."""
    if connection.vendor != "postgresql":
        pytest.skip("leases need PostgreSQL; SQLite serialises writers instead")
    server = robot_server(delay=1)
    school = SchoolFactory()
    robot(school, server)
    person = staff(school)
    # The rows notify() writes, left pending as a lost task would leave them.
    note = Notification.objects.create(recipient=person, kind=ROBOT.key, title="并发")
    delivery = Delivery.objects.create(
        notification=note, channel="webhook", next_attempt_at=timezone.now()
    )
    results = []

    def work():
        try:
            results.append(deliver(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(results) == [Delivery.Status.PENDING, Delivery.Status.SENT]
    assert len(server.posts) == 1
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert deliver(delivery.pk) == Delivery.Status.SENT  # the second one's look, later


# The school's robot page.


@pytest.mark.django_db
def test_counselor_configures_the_robot_and_sends_a_test(world, client, robot_server):
    server = robot_server()
    client = signed_in(client, world.counselor)
    url = reverse("notifications:webhook")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "provider": "dingtalk",
            "url": server.url("/robot/send?access_token=abc"),
            "secret": "SECxyz",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    channel = WebhookChannel.objects.get(school=world.school)
    assert (channel.provider, channel.secret) == ("dingtalk", "SECxyz")
    page = client.get(url).content.decode()
    assert "SECxyz" not in page  # the secret is write-only

    # Saving again without a secret keeps it.
    client.post(url, {"provider": "dingtalk", "url": channel.url, "is_active": "on"})
    channel.refresh_from_db()
    assert channel.secret == "SECxyz"

    response = client.post(url, {"test": "1"}, follow=True)
    assert len(server.posts) == 1
    assert "sign" in server.posts[0]["query"]
    assert world.counselor.full_name in server.posts[0]["json"]["text"]["content"]
    assert list(response.context["messages"])[0].level_tag == "success"

    server.answers = [(200, {"errcode": 310000, "errmsg": "sign not match"})]
    response = client.post(url, {"test": "1"}, follow=True)
    message = str(list(response.context["messages"])[0])
    assert "310000" in message

    for person in (world.member, world.teacher, world.student):
        assert signed_in(client, person).get(url).status_code == 403


@pytest.mark.django_db
def test_admin_pages_for_notifications(world, client, robot_server):
    robot(world.school, robot_server())
    client = signed_in(client, world.admin)
    for name in ("notification", "delivery", "notificationpreference", "webhookchannel"):
        assert client.get(reverse(f"admin:counseling_{name}_changelist")).status_code == 200
    channel = WebhookChannel.objects.get()
    page = client.get(reverse("admin:counseling_webhookchannel_change", args=[channel.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_requeue_sends_through_the_queue_too(world):
    """Without --inline the command hands deliveries to Celery (eager here: inline)."""
    teacher = world.teacher
    teacher.email = "teacher@example.edu.cn"
    teacher.save()
    mail.outbox.clear()
    note = notify(teacher, MAIL.key, "卡住的")[0]  # no commit in this test: still pending
    delivery = delivery_of(note, "email")
    call_command("requeue_notifications", verbosity=0)
    assert delivery_of(note, "email").status == Delivery.Status.PENDING  # not stuck long enough
    call_command("requeue_notifications", "--older-than", "0", verbosity=0)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert len(mail.outbox) == 1
