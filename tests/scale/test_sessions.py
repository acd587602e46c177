"""The session is written only when it must be; members (only) may stay signed in."""

import datetime
import importlib

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from counseling.models import Role
from tests.factories import PASSWORD, RoleFactory, SchoolClassFactory, SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


def session_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"]
        and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


@pytest.fixture
def counselor():
    return RoleFactory(kind=Role.Kind.COUNSELOR).user


@pytest.fixture
def member():
    cls = SchoolClassFactory(department__school=SchoolFactory())
    return RoleFactory(
        kind=Role.Kind.COMMITTEE_MEMBER, school=cls.department.school, school_class=cls
    ).user


def test_session_is_not_written_on_every_request(client, counselor):
    client.force_login(counselor)
    client.get(reverse("home"))  # the first request may stamp the session
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("home")).status_code == 200
        assert session_writes(ctx.captured_queries) == []


def test_session_expiry_is_renewed_once_the_interval_has_passed(client, counselor):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.force_login(counselor)
        client.get(reverse("home"))
        first = Session.objects.get().expire_date
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("home"))
        assert len(session_writes(ctx.captured_queries)) == 1
        assert Session.objects.get().expire_date - first == datetime.timedelta(minutes=6)


def sign_in(client, user, remember):
    data = {"username": user.username, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    response = client.post(reverse("login"), data)
    assert response.status_code == 302, response.content[:500]
    return response


def test_member_who_ticks_this_is_my_phone_stays_signed_in_for_the_semester(
    client, member, settings
):
    response = sign_in(client, member, remember=True)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_REMEMBER_SECONDS
    session = Session.objects.get()
    assert session.expire_date > timezone.now() + datetime.timedelta(days=100)


def test_member_who_does_not_tick_gets_the_short_session(client, member, settings):
    response = sign_in(client, member, remember=False)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""  # browser session
    assert Session.objects.get().expire_date < timezone.now() + datetime.timedelta(hours=3)


def test_staff_keep_short_sessions_whatever_they_tick(client, counselor, settings):
    response = sign_in(client, counselor, remember=True)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""
    assert Session.objects.get().expire_date < timezone.now() + datetime.timedelta(hours=3)


def test_class_teacher_who_is_also_a_member_keeps_a_short_session(client, member, settings):
    SchoolClassFactory(class_teacher=member)
    response = sign_in(client, member, remember=True)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""


def test_sign_in_page_offers_the_choice(client):
    assert 'name="remember"' in client.get(reverse("login")).content.decode()


def test_argon2_is_the_production_hasher():
    prod = importlib.import_module("counseling.settings")
    assert prod.PASSWORD_HASHERS[0] == "counseling.hashers.PortalArgon2PasswordHasher"
    assert not prod.SESSION_SAVE_EVERY_REQUEST
    assert prod.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@override_settings(
    PASSWORD_HASHERS=[
        "counseling.hashers.PortalArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
)
def test_old_hash_is_upgraded_to_argon2_at_sign_in(client):
    user = UserFactory()
    type(user).objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="md5"))
    user.refresh_from_db()
    assert user.password.startswith("md5$")
    sign_in(client, user, remember=False)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(PASSWORD)
