"""A Chinese school's portal starts in Chinese; the person's choice (cookie, own setting)
wins over the browser's Accept-Language."""

import pytest
from django.conf import settings
from django.urls import reverse

from counseling.models import Role
from tests.factories import RoleFactory

pytestmark = pytest.mark.django_db


def lang(response):
    return response["Content-Language"]


def test_an_english_browser_gets_chinese(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert lang(response) == "zh-hans"
    assert "登录" in response.content.decode()


def test_the_cookie_is_a_choice(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert lang(response) == "en"


def test_the_persons_own_setting_wins_and_is_stored_by_the_switch(client):
    user = RoleFactory(kind=Role.Kind.COUNSELOR).user
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"
    client.cookies.clear()
    client.force_login(user)
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert lang(response) == "en"
