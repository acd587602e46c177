"""Group robots within their published limits, against a stand-in that enforces them."""

import datetime
import os

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from counseling.celery import app as celery_app
from counseling.models import Role
from counseling.notifications import channels, throttle
from counseling.notifications.models import Delivery, NotificationPreference, WebhookChannel
from counseling.notifications.registry import register_kind
from counseling.notifications.services import notify, requeue
from tests.factories import RoleFactory, SchoolClassFactory, SchoolFactory, UserFactory
from tests.robots.standin import StandInRobot

pytestmark = pytest.mark.django_db
EVENT = register_kind("tests.robot_event", label="Test robot event", webhook=True)


@pytest.fixture(autouse=True)
def eager_celery():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture
def standin():
    robots = []

    def start(**kwargs):
        robots.append(StandInRobot(**kwargs))
        return robots[-1]

    yield start
    for r in robots:
        r.close()


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def school():
    return SchoolFactory()


def robot(school, stand, **extra):
    return WebhookChannel.objects.create(
        school=school, provider=stand.provider, url=stand.url(), **extra
    )


def members(school, n):
    cls = SchoolClassFactory(department__school=school)
    users = []
    for i in range(n):
        user = UserFactory(full_name=f"心理委员{i:02d}", phone=f"1390000{i:04d}")
        Role.objects.create(
            user=user, kind=Role.Kind.COMMITTEE_MEMBER, school=school, school_class=cls
        )
        users.append(user)
    return users


def counselor(school, phone="13800000001"):
    return RoleFactory(school=school, kind=Role.Kind.COUNSELOR, user__phone=phone).user


class TestOneMessagePerEvent:
    def test_a_meeting_cancelled_for_sixty_members_is_one_message_naming_no_one(
        self, school, standin, committing
    ):
        stand = standin()
        robot(school, stand)
        people = members(school, 60)
        head = counselor(school)
        with committing():
            notify([*people, head], EVENT.key, "单周例会取消", body="第7周例会取消", url="/m/7/")
        assert len(stand.accepted) == 1 and not stand.refused
        [post] = stand.accepted
        content = post["text"]["content"]
        assert "单周例会取消" in content
        assert not any(p.full_name in content for p in people)
        assert "@" not in content
        # Only the staff member who chose the robot is mentioned, by the API's own field.
        assert post["text"]["mentioned_mobile_list"] == ["13800000001"]
        assert Delivery.objects.filter(channel="webhook").count() == 1

    def test_dingtalk_mentions_through_at_mobiles(self, school, standin, committing):
        stand = standin(provider="dingtalk")
        robot(school, stand)
        with committing():
            notify([*members(school, 3), counselor(school)], EVENT.key, "双周培训")
        [post] = stand.accepted
        assert post["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}

    def test_a_staff_member_who_turned_the_robot_off_is_not_mentioned(
        self, school, standin, committing
    ):
        stand = standin()
        robot(school, stand)
        quiet, loud = counselor(school, "13800000001"), counselor(school, "13800000002")
        NotificationPreference.objects.create(user=quiet, kind=EVENT.key, webhook=False)
        with committing():
            notify([quiet, loud], EVENT.key, "x")
        assert stand.accepted[0]["text"]["mentioned_mobile_list"] == ["13800000002"]


class TestRateLimit:
    def test_nothing_is_dropped_and_order_is_kept_under_twenty_a_minute(
        self, school, standin, committing, settings
    ):
        settings.ROBOT_MESSAGES_PER_MINUTE = 18
        stand = standin()
        robot(school, stand)
        person = counselor(school)
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            for i in range(45):
                with committing():
                    notify(person, EVENT.key, f"消息{i:02d}")
        assert len(stand.accepted) == 18 and not stand.refused
        pending = Delivery.objects.filter(status="pending")
        assert pending.count() == 27
        assert all(d.attempts == 0 for d in pending)  # waiting is not a failed attempt
        for minute in (1, 2, 3):
            with time_machine.travel(start + datetime.timedelta(seconds=61 * minute), tick=False):
                requeue(older_than=0, inline=True)
        assert not stand.refused
        titles = [p["text"]["content"] for p in stand.accepted]
        assert titles == [f"消息{i:02d}" for i in range(45)]
        assert not Delivery.objects.exclude(status="sent").exists()

    def test_a_too_fast_answer_waits_a_window_without_using_up_attempts(
        self, school, standin, committing, settings
    ):
        settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
        stand = standin(provider="dingtalk")
        robot(school, stand)
        stand.stamps = [9e18] * 20  # somebody else has filled this robot's minute
        start = timezone.now()
        with time_machine.travel(start, tick=False):
            with committing():
                notify(counselor(school), EVENT.key, "太快")
            for _ in range(3):
                throttle.reset()
                requeue(older_than=-3600, inline=True)
        delivery = Delivery.objects.get(channel="webhook")
        assert delivery.status == "pending" and delivery.attempts == 0
        assert "130101" in delivery.last_error
        assert delivery.next_attempt_at >= start + datetime.timedelta(seconds=59)
        stand.stamps = []
        with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
            throttle.reset()
            requeue(older_than=0, inline=True)
        delivery.refresh_from_db()
        assert delivery.status == "sent"


class TestErrcodes:
    @pytest.mark.parametrize(
        "code,kind",
        [
            (45009, channels.RateLimitedError),
            (130101, channels.RateLimitedError),
            (310000, channels.ConfigurationError),
            (300001, channels.ConfigurationError),
            (93000, channels.ConfigurationError),
            (-1, channels.DeliveryError),
        ],
    )
    def test_sorted(self, code, kind):
        error = channels._errcode_error(code, "x")
        assert type(error) is kind

    def test_a_wrong_signature_fails_at_once_and_the_administrator_sees_it(
        self, school, standin, committing, client
    ):
        stand = standin(provider="dingtalk", secret="SECright")
        channel = robot(school, stand, secret="SECwrong")
        person = counselor(school)
        with committing():
            notify(person, EVENT.key, "签名错误")
        delivery = Delivery.objects.get(channel="webhook")
        assert (delivery.status, delivery.attempts) == ("failed", 1)
        channel.refresh_from_db()
        assert "310000" in channel.last_error
        client.force_login(person)
        page = client.get(reverse("notifications:webhook")).content.decode()
        assert 'id="robot-config-error"' in page and "sign not match" in page
        # Once the secret is right, a test message clears the warning.
        channel.secret = "SECright"
        channel.save()
        client.post(reverse("notifications:webhook"), {"test": "1"})
        channel.refresh_from_db()
        assert channel.last_error == ""


class TestText:
    def test_wecom_cap_in_bytes_keeps_the_link(self, school, standin, committing, settings):
        settings.PORTAL_BASE_URL = "https://xinli.example.edu.cn"
        stand = standin()
        robot(school, stand)
        with committing():
            notify(counselor(school), EVENT.key, "长消息", body="心" * 2000, url="/a/1/")
        [post] = stand.accepted
        content = post["text"]["content"]
        assert len(content.encode("utf-8")) <= 2048
        assert content.endswith("\nhttps://xinli.example.edu.cn/a/1/")
        assert "…" in content

    def test_dingtalk_cap_is_twenty_thousand_bytes(self):
        channel = WebhookChannel(provider="dingtalk")
        text = channels.compose(channel, "心" * 10000, "https://x.cn/1/")
        assert len(text.encode("utf-8")) <= 20000 and text.endswith("https://x.cn/1/")

    def test_dingtalk_keyword(self, school, standin, committing):
        stand = standin(provider="dingtalk", keyword="心理")
        robot(school, stand, keyword="心理")
        with committing():
            notify(counselor(school), EVENT.key, "明天例会")
        [post] = stand.accepted
        assert post["text"]["content"].startswith("【心理】明天例会")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
def test_the_window_is_shared_through_redis(settings):
    """Two workers' clients see the same window: the 19th slot waits."""
    from redis import Redis

    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.ROBOT_MESSAGES_PER_MINUTE = 18
    throttle.reset()
    now = 1_000_000.0
    assert all(throttle.acquire(99, now=now) == 0 for _ in range(18))
    other = Redis.from_url(os.environ["REDIS_URL"])
    assert other.zcard(throttle.window_key(99)) == 18
    assert 58 < throttle.acquire(99, now=now + 1) <= 59
    assert throttle.acquire(99, now=now + 61) == 0
    throttle.reset()
