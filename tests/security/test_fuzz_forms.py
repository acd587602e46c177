"""Finding 7: hostile values posted to every form of the portal, as every role: no 500.

The forms are found, not listed: every URL pattern of the resolver (filled with real
objects by the security review's crawl, tests/portal/tier3.py) is opened as a
counselor, a committee member and an anonymous visitor, and each POST form in the answers
is kept with its fields and choices. Hypothesis then posts to those forms, as any role,
values drawn from hostile text, numbers, dates, choices and files. The client re-raises
any exception of a view, so a server error fails the test with its traceback.
"""

import logging
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.portal.tier3 import CRAWLED, World, urls_to_crawl

DISCOVERING = ["counselor", "member", "anonymous"]
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "99999999999999999999999",
    "2026-02-30",
    "2026-13-45",
    "12:99",
    "\x00",
    "正常\x00文字",
    "a" * 40000,
    "蔻" * 3000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "on",
    "true",
    "1,2,3",
]
FILES = [
    ("a.pdf", b"%PDF-1.4\n%%EOF\n"),
    ("a.pdf", b"<html><script>alert(1)</script></html>"),
    ("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ("a.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
    ("a.xlsx", b"PK\x03\x04" + b"\x00" * 20),
    ("roster.csv", "学号,姓名\n1,张三\n".encode()),
    ("", b""),
]


class FormParser(HTMLParser):
    """POST forms: action, fields (name → type) and the options of each select/radio."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.current = {"action": a.get("action") or "", "fields": {}, "options": {}}
            self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select"):
            name = a.get("name")
            if not name or name == "csrfmiddlewaretoken":
                return
            kind = a.get("type", tag) if tag == "input" else tag
            self.current["fields"][name] = kind
            if kind in ("radio", "checkbox", "hidden") and a.get("value") is not None:
                self.current["options"].setdefault(name, []).append(a["value"])
            if tag == "select":
                self.select = name
        elif tag == "option" and self.current is not None and self.select:
            self.current["options"].setdefault(self.select, []).append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


@pytest.fixture(autouse=True)
def quiet_refusals():
    """Hundreds of refusals (403, 404, 400) are expected: no traceback for each."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


@pytest.fixture
def forms_and_clients(db, settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org"
    world = World()
    forms = {}
    for who in DISCOVERING:
        client = Client()
        user = None if who == "anonymous" else world.user(who)
        if user:
            client.force_login(user)
        for _name, url, twin in urls_to_crawl(world, user):
            if twin is not None:
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            parser = FormParser()
            parser.feed(response.content.decode())
            for form in parser.forms:
                target = form["action"] or url.split("?")[0]
                if target.startswith("/") and not target.startswith("/i18n/"):
                    forms.setdefault(target, form)
    clients = {}
    for who in CRAWLED:
        client = Client()
        if who != "anonymous":
            client.force_login(world.user(who))
        clients[who] = client
    assert len(forms) > 40, sorted(forms)
    return sorted(forms.items()), clients


@st.composite
def posts(draw, forms):
    target, form = draw(st.sampled_from(forms))
    data, files = {}, {}
    for name, kind in form["fields"].items():
        if kind == "file":
            if draw(st.booleans()):
                fname, content = draw(st.sampled_from(FILES))
                files[name] = SimpleUploadedFile(fname or "x", content)
            continue
        choices = form["options"].get(name, [])
        value = draw(
            st.one_of(
                st.sampled_from(choices) if choices else st.just(""),
                st.sampled_from(HOSTILE),
                st.text(max_size=30),
                st.integers(min_value=-(2**63), max_value=2**63).map(str),
            )
        )
        if draw(st.integers(0, 9)) == 0:
            continue  # a field left out of the post
        data[name] = value
    return target, {**data, **files}


def test_every_form_as_every_role_gives_no_server_error(forms_and_clients):
    forms, clients = forms_and_clients

    @settings(
        max_examples=250,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(who=st.sampled_from(CRAWLED), post=posts(forms))
    def post_one(who, post):
        target, data = post
        response = clients[who].post(target, data)
        assert response.status_code < 500, (who, target)

    post_one()
