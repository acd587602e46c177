"""Signing in and out, lockout, one-time passwords, idle sessions, production security."""

import datetime
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory
from tests.personas import PASSWORD

NEW_PASSWORD = "Qiu-feng-2026-xin"
ROOT = Path(__file__).resolve().parents[2]


def sign_in(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


class TestSignIn:
    def test_sign_in_and_out(self, client, world):
        response = sign_in(client, world.counselor.username)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert response.context["user"] == world.counselor

        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_next_is_followed(self, client, world):
        url = reverse("counseling:class-list")
        response = client.get(url)
        assert response["Location"] == f"{reverse('login')}?next={url}"
        response = client.post(
            response["Location"],
            {"username": world.teacher.username, "password": PASSWORD, "next": url},
        )
        assert response["Location"] == url

    def test_wrong_password(self, client, world):
        response = sign_in(client, world.counselor.username, "wrong")
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not response.context["user"].is_authenticated

    def test_inactive_account_cannot_sign_in(self, client, world):
        user = world.teacher
        user.is_active = False
        user.save()
        assert sign_in(client, world.teacher.username).status_code == 200
        assert client.get(reverse("home")).status_code == 302

    def test_logout_needs_post(self, client, world):
        client.force_login(world.counselor)
        assert client.get(reverse("logout")).status_code == 405
        assert client.get(reverse("home")).status_code == 200

    def test_csrf_is_enforced(self, world):
        client = Client(enforce_csrf_checks=True)
        response = client.post(
            reverse("login"), {"username": world.counselor.username, "password": PASSWORD}
        )
        assert response.status_code == 403
        page = client.get(reverse("login"))
        token = page.cookies[settings.CSRF_COOKIE_NAME].value
        response = client.post(
            reverse("login"),
            {
                "username": world.counselor.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token,
            },
        )
        assert response.status_code == 302


class TestLockout:
    def test_locked_after_the_failure_limit(self, client, world):
        limit = settings.AXES_FAILURE_LIMIT
        assert limit >= 3
        for _ in range(limit - 1):
            assert sign_in(client, world.counselor.username, "wrong").status_code == 200
        response = sign_in(client, world.counselor.username, "wrong")
        assert response.status_code == 429
        # Now even the right password is refused.
        response = sign_in(client, world.counselor.username)
        assert response.status_code == 429
        assert client.get(reverse("home")).status_code == 302
        assert AccessAttempt.objects.filter(
            username=world.counselor.username
        ).get().failures_since_start >= (limit)

    def test_lockout_is_per_account(self, client, world):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, world.counselor.username, "wrong")
        assert sign_in(client, world.counselor2.username).status_code == 302

    def test_success_before_the_limit_resets(self, client, world):
        limit = settings.AXES_FAILURE_LIMIT
        for _ in range(limit - 1):
            sign_in(client, world.counselor.username, "wrong")
        assert sign_in(client, world.counselor.username).status_code == 302
        client.post(reverse("logout"))
        for _ in range(limit - 1):
            sign_in(client, world.counselor.username, "wrong")
        assert sign_in(client, world.counselor.username).status_code == 302

    def test_lock_ends_after_the_cool_off(self, client, world):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, world.counselor.username, "wrong")
        assert sign_in(client, world.counselor.username).status_code == 429
        later = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
        with time_machine.travel(later):
            assert sign_in(client, world.counselor.username).status_code == 302


class TestMustChangePassword:
    @pytest.fixture
    def newcomer(self, client, world):
        user = UserFactory(must_change_password=True)
        client.force_login(user)
        return user

    @pytest.mark.parametrize(
        "url",
        [
            "home",
            "counseling:department-list",
            "counseling:class-list",
            "counseling:audit-list",
            "admin:index",
        ],
    )
    def test_every_page_sends_to_password_change(self, client, newcomer, url):
        response = client.get(reverse(url))
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change")

    def test_change_clears_the_flag(self, client, newcomer):
        assert client.get(reverse("password_change")).status_code == 200
        # Django's validators apply: a too common / too short password is refused.
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
        )
        assert response.status_code == 200
        assert response.context["form"].errors
        newcomer.refresh_from_db()
        assert newcomer.must_change_password

        response = client.post(
            reverse("password_change"),
            {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("password_change_done")
        newcomer.refresh_from_db()
        assert not newcomer.must_change_password
        assert newcomer.check_password(NEW_PASSWORD)
        # Still signed in, and free to go anywhere now.
        assert client.get(reverse("home")).status_code == 200

    def test_sign_out_is_allowed(self, client, newcomer):
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == reverse("login")

    def test_others_are_not_held(self, client, world):
        client.force_login(world.counselor)
        assert client.get(reverse("home")).status_code == 200


class TestIdleSessions:
    def test_session_ends_after_inactivity(self, client, world):
        sign_in(client, world.counselor.username)
        idle = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
        with time_machine.travel(idle):
            response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_activity_keeps_the_session(self, client, world):
        sign_in(client, world.counselor.username)
        # A counselor is staff: its idle limit is the stricter of the two.
        idle = min(settings.SESSION_COOKIE_AGE, settings.STAFF_SESSION_IDLE_SECONDS)
        step = datetime.timedelta(seconds=idle * 2 // 3)
        with time_machine.travel(step):
            assert client.get(reverse("home")).status_code == 200
        with time_machine.travel(step * 2):
            assert client.get(reverse("home")).status_code == 200

    def test_session_cookie(self, client, world):
        response = sign_in(client, world.counselor.username)
        cookie = response.cookies[settings.SESSION_COOKIE_NAME]
        assert cookie["httponly"]
        assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def production_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="counseling.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="example.org",
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(32),
    )
    env.update(extra)
    return env


def run(args, env, tmp_path):
    env = {**env, "DJANGO_VAR_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


class TestProductionSettings:
    def test_check_deploy_is_clean(self, tmp_path):
        result = run(["manage.py", "check", "--deploy"], production_env(), tmp_path)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output
        assert "WARNINGS" not in output and "ERRORS" not in output, output
        assert "no issues" in output

    def test_security_settings(self, tmp_path):
        code = (
            "import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({k: getattr(s, k) for k in ["
            "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT', "
            "'SECURE_HSTS_SECONDS', 'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', "
            "'SESSION_COOKIE_HTTPONLY', 'ALLOWED_HOSTS']}))"
        )
        result = run(["-c", code], production_env(), tmp_path)
        assert result.returncode == 0, result.stderr
        values = json.loads(result.stdout.strip().splitlines()[-1])
        assert values == {
            "DEBUG": False,
            "SESSION_COOKIE_SECURE": True,
            "CSRF_COOKIE_SECURE": True,
            "SECURE_SSL_REDIRECT": True,
            "SECURE_HSTS_SECONDS": 31536000,
            "SECURE_CONTENT_TYPE_NOSNIFF": True,
            "X_FRAME_OPTIONS": "DENY",
            "SESSION_COOKIE_HTTPONLY": True,
            "ALLOWED_HOSTS": ["example.org"],
        }

    @pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
    def test_production_refuses_to_start_without(self, tmp_path, missing):
        env = production_env()
        del env[missing]
        result = run(["manage.py", "check"], env, tmp_path)
        assert result.returncode != 0
        assert missing in result.stderr

    def test_development_check_deploy_warns(self, tmp_path):
        """The check above can fail: with development settings it reports problems."""
        env = production_env(DJANGO_DEBUG="true")
        del env["DJANGO_SECRET_KEY"]
        result = run(["manage.py", "check", "--deploy"], env, tmp_path)
        assert "security.W" in result.stdout + result.stderr
