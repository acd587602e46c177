"""Sessions: a new key at sign-in, idle and absolute limits for staff, and a password
change, a role removed or an account deactivated ending every other session."""

import time

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from counseling.auth.policy import SEEN_AT, SIGNED_IN_AT
from counseling.models import Role
from tests.factories import PASSWORD, DepartmentFactory, RoleFactory, SchoolFactory

HOME = "/"


@pytest.fixture
def school(db):
    return SchoolFactory()


@pytest.fixture
def counselor(school):
    return RoleFactory(kind=Role.Kind.COUNSELOR, school=school).user


def sign_in(user):
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def signed_in(client):
    return client.get(HOME).status_code == 200


def test_the_session_key_changes_at_sign_in(counselor):
    client = Client()
    client.get(reverse("login"))
    session = client.session
    session["before"] = 1
    session.save()
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    client.post(reverse("login"), {"username": counselor.username, "password": PASSWORD})
    after = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert after and after != before


def _age(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def test_staff_idle_limit(counselor, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 600
    client = sign_in(counselor)
    _age(client, seen_at=300)
    assert signed_in(client)
    _age(client, seen_at=700)
    assert not signed_in(client)
    assert not signed_in(client)  # signed out, not just redirected once


def test_staff_absolute_limit(counselor, settings):
    settings.STAFF_SESSION_MAX_SECONDS = 3600
    client = sign_in(counselor)
    _age(client, signed_in_at=3700, seen_at=0)
    assert not signed_in(client)


def test_students_keep_the_general_limit(school, settings):
    from tests.factories import SchoolClassFactory

    settings.STAFF_SESSION_IDLE_SECONDS = 600
    cls = SchoolClassFactory(department__school=school)
    student = RoleFactory(kind=Role.Kind.STUDENT, school=school, school_class=cls).user
    client = sign_in(student)
    _age(client, seen_at=700, signed_in_at=700)
    assert signed_in(client)


def test_last_seen_is_written_once_a_minute_at_most(counselor):
    client = sign_in(counselor)
    first = client.session[SEEN_AT]
    client.get(HOME)
    assert client.session[SEEN_AT] == first
    assert client.session[SIGNED_IN_AT] <= first


def test_a_password_change_ends_the_other_sessions(counselor):
    here, there = sign_in(counselor), sign_in(counselor)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Another-pass-2026",
            "new_password2": "Another-pass-2026",
        },
    )
    assert response.status_code == 302
    assert signed_in(here) and not signed_in(there)


def test_a_role_removed_ends_the_holders_sessions(school, counselor):
    head = RoleFactory(kind=Role.Kind.COUNSELOR, is_head=True, school=school).user
    theirs, head_client = sign_in(counselor), sign_in(head)
    role = counselor.roles.get()
    response = head_client.post(reverse("counseling:role-end", args=[role.pk]))
    assert response.status_code == 302
    assert not signed_in(theirs)
    assert signed_in(head_client)


def test_stepping_down_keeps_ones_own_session(school, counselor):
    head = RoleFactory(kind=Role.Kind.COUNSELOR, is_head=True, school=school).user
    here, there = sign_in(head), sign_in(head)
    liaison = RoleFactory(
        kind=Role.Kind.LIAISON,
        school=school,
        user=head,
        department=DepartmentFactory(school=school),
    )
    here.post(reverse("counseling:role-end", args=[liaison.pk]))
    assert signed_in(here) and not signed_in(there)


def test_a_deactivated_account_is_signed_out(counselor):
    client = sign_in(counselor)
    counselor.is_active = False
    counselor.save()
    assert not signed_in(client)


def test_the_rule_can_fail(counselor):
    """Without the epoch in the session hash, ending sessions would do nothing."""
    client = sign_in(counselor)
    counselor.end_sessions()
    assert not signed_in(client)
