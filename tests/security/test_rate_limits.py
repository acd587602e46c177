"""Findings 6 and 10: one rate limiter (counseling.ratelimit), client addresses past the
trusted proxies everywhere, and what happens when the cache (Redis) is down."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from counseling import ratelimit
from counseling.audit import AuditEntry
from counseling.http import client_ip
from tests.factories import UserFactory

PASSWORD = "t9-Hardening-pass-2026"
DEAD_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:8499/4",  # nothing listens on this port
        "OPTIONS": {"socket_timeout": 0.2, "socket_connect_timeout": 0.2},
    }
}


@pytest.fixture
def fresh(settings):
    """Counters of the addresses used here forgotten (Redis outlives a test)."""
    settings.RATE_LIMITS = {"sign-in": "3/m", "letters": "2/h"}
    addresses = ["10.0.0.1", "10.0.0.2", "10.9.9.9", "203.0.113.5", "203.0.113.6", "127.0.0.1"]
    for a in addresses:
        ratelimit.reset("sign-in", "3/m", f"ip:{a}")
    yield
    for a in addresses:
        ratelimit.reset("sign-in", "3/m", f"ip:{a}")


def sign_in(client, username, password="wrong", **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.mark.django_db
class TestSignIn:
    def test_sign_in_is_limited_per_address(self, client, fresh):
        for n in range(3):
            assert sign_in(client, f"nobody{n}", REMOTE_ADDR="10.0.0.1").status_code == 200
        refused = sign_in(client, "nobody9", REMOTE_ADDR="10.0.0.1")
        assert refused.status_code == 429
        assert "尝试次数过多" in refused.content.decode()
        assert sign_in(client, "nobody9", REMOTE_ADDR="10.0.0.2").status_code == 200

    def test_only_posts_count(self, client, fresh):
        for _ in range(5):
            assert client.get(reverse("login"), REMOTE_ADDR="10.0.0.1").status_code == 200
        assert sign_in(client, "nobody", REMOTE_ADDR="10.0.0.1").status_code == 200

    def test_behind_the_proxy_each_client_has_its_own_count(self, client, fresh, settings):
        settings.TRUSTED_PROXIES = 1
        proxy = {"REMOTE_ADDR": "10.9.9.9"}
        for n in range(3):
            sign_in(client, f"x{n}", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
        assert sign_in(client, "x", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy).status_code == 429
        # A spoofed left-hand entry does not make a new client.
        spoofed = "1.2.3.4, 203.0.113.5"
        assert sign_in(client, "x", HTTP_X_FORWARDED_FOR=spoofed, **proxy).status_code == 429
        assert sign_in(client, "x", HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy).status_code == 200


@pytest.mark.django_db
def test_lockout_behind_the_proxy_locks_one_client_not_everyone(client, settings, fresh):
    """Finding 10: five bad tries by one client no longer lock the account for all."""
    settings.TRUSTED_PROXIES = 1
    settings.RATE_LIMITS = {"sign-in": "100/m"}
    user = UserFactory(username="t9-locked")
    user.set_password(PASSWORD)
    user.save()
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "t9-locked", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    locked = sign_in(client, "t9-locked", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
    assert locked.status_code == 429 or "_auth_user_id" not in client.session
    other = sign_in(client, "t9-locked", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.status_code == 302
    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


@pytest.mark.django_db
def test_audit_records_the_client_address_past_the_proxy(client, settings):
    settings.TRUSTED_PROXIES = 1
    user = UserFactory()
    client.force_login(user)
    request = RequestFactory().get("/", REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    from counseling import audit

    entry = audit.record(user, AuditEntry.Action.LOGIN, request=request, label="x")
    assert entry.ip_address == "203.0.113.7"


def view(request):
    return HttpResponse("ok")


@pytest.mark.django_db
class TestDecorator:
    def test_one_line_limits_a_view_per_user(self, fresh):
        limited = ratelimit.limit("letters", rate="10/h")(view)
        user = UserFactory()
        other = UserFactory()
        ratelimit.reset("letters", "2/h", f"user:{user.pk}")
        factory = RequestFactory()

        def post(who):
            request = factory.post("/letters/new/", REMOTE_ADDR="10.0.0.1")
            request.user = who
            return limited(request)

        assert [post(user).status_code for _ in range(3)] == [200, 200, 429]
        assert post(other).status_code == 200  # counted per person, not per address
        ratelimit.reset("letters", "2/h", f"user:{user.pk}")
        ratelimit.reset("letters", "2/h", f"user:{other.pk}")


@pytest.mark.django_db
class TestCacheDown:
    """Decided in counseling/ratelimit.py: fail open (and log), unless a group asks not to."""

    def test_sign_in_still_works_when_redis_is_down(self, client, settings, caplog):
        settings.CACHES = DEAD_REDIS
        user = UserFactory(username="t9-redis-down")
        user.set_password(PASSWORD)
        user.save()
        assert sign_in(client, "t9-redis-down", PASSWORD).status_code == 302
        assert "cache unreachable" in caplog.text

    def test_fail_closed_refuses(self, settings, rf):
        settings.CACHES = DEAD_REDIS
        request = rf.post("/")
        request.user = UserFactory()
        assert ratelimit.is_limited(request, "letters", "10/h", fail_open=False)
        assert not ratelimit.is_limited(request, "letters", "10/h")

    def test_a_student_still_books_writes_and_messages_when_redis_is_down(self, settings, caplog):
        from consultations.booking import services as booking
        from consultations.letters import services as letters
        from consultations.online import services as online

        settings.CACHES = DEAD_REDIS
        user = UserFactory()
        assert not letters.rate_limited("10.0.0.9")
        assert not booking.over_rate("booking", user, booking.BOOKING_RATE)
        assert not booking.over_rate("online", user, online.MESSAGE_RATE)
        assert caplog.text.count("cache unreachable") == 3


@pytest.mark.django_db
def test_letters_bookings_and_messages_count_in_the_core_limiter(settings):
    """Their rates are the core's groups: RATE_LIMITS overrides them like any other."""
    from consultations.booking import services as booking
    from consultations.letters import services as letters

    settings.RATE_LIMITS = {"letters": "1/h", "booking": "1/h", "online": "1/h"}
    user = UserFactory()
    for group, who in (("letters", "ip:10.7.7.7"), ("booking", f"user:{user.pk}")):
        ratelimit.reset(group, "1/h", who)
    ratelimit.reset("online", "1/h", f"user:{user.pk}")
    try:
        assert [letters.rate_limited("10.7.7.7") for _ in range(2)] == [False, True]
        assert [booking.over_rate("booking", user, "9/h") for _ in range(2)] == [False, True]
        assert [booking.over_rate("online", user, "9/h") for _ in range(2)] == [False, True]
    finally:
        ratelimit.reset("letters", "1/h", "ip:10.7.7.7")
        ratelimit.reset("booking", "1/h", f"user:{user.pk}")
        ratelimit.reset("online", "1/h", f"user:{user.pk}")


def test_there_is_one_rate_limiter():
    """No module counts attempts in the cache by hand: counseling.ratelimit is the one."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    counting = re.compile(r"cache\.(incr|add)\(")
    found = [
        str(path.relative_to(root))
        for app in ("counseling", "committees", "lectures", "consultations", "reports")
        for path in (root / app).rglob("*.py")
        if counting.search(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
