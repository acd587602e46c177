"""Finding 8: a strict Content-Security-Policy, no-store on signed-in pages, check --deploy."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)


def template_files():
    dirs = [ROOT / "templates"] + [p for p in ROOT.glob("*/templates") if ".venv" not in str(p)]
    return [f for d in dirs for f in d.rglob("*.html")]


def test_no_template_has_an_inline_handler_or_script():
    found = []
    for path in template_files():
        text = path.read_text()
        for pattern in (INLINE_HANDLER, INLINE_SCRIPT):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


@pytest.mark.django_db
class TestHeaders:
    def policy(self, response):
        header = response["Content-Security-Policy"]
        return dict(
            (part.split()[0], part.split()[1:]) for part in header.split(";") if part.strip()
        )

    def test_csp_forbids_inline_script(self, client):
        response = client.get(reverse("login"))
        policy = self.policy(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]

    def test_signed_in_pages_are_not_stored(self, client):
        client.force_login(UserFactory())
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        assert "Content-Security-Policy" in response

    def test_signed_in_page_scripts_come_from_static_files(self, client):
        client.force_login(UserFactory())
        html = client.get(reverse("home")).content.decode()
        assert "js/portal.js" in html
        assert not INLINE_SCRIPT.search(html) and not INLINE_HANDLER.search(html)


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        "DJANGO_SETTINGS_MODULE": "counseling.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "DJANGO_ALLOWED_HOSTS": "portal.example.edu.cn",
        "DJANGO_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
