"""The audit page: the scope without an OR, the same queries for 3 entries or 60."""

from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from counseling import audit
from counseling.audit import AuditEntry
from counseling.models import Role
from tests.factories import RoleFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def head():
    return RoleFactory(kind=Role.Kind.COUNSELOR, is_head=True, school=SchoolFactory()).user


def fill(school, actor, n):
    for k in range(n):
        audit.record(actor, AuditEntry.Action.UPDATE, school, label=f"条目{k}")


def queries_for(client, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("counseling:audit-list"), params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_audit_page_queries_do_not_grow_with_the_trail(client, head):
    school = head.roles.get().school
    client.force_login(head)
    fill(school, head, 3)
    client.get(reverse("counseling:audit-list"))  # the session's first stamp
    small, _ = queries_for(client)
    small_search, _ = queries_for(client, {"q": "条目"})
    fill(school, head, 60)
    large, html = queries_for(client)
    large_search, _ = queries_for(client, {"q": "条目"})
    assert small == large
    assert small_search == large_search
    assert html.count("条目") == 50  # one page


def test_union_shows_the_school_and_own_unscoped_entries_only(client, head):
    school = head.roles.get().school
    other = RoleFactory(kind=Role.Kind.COUNSELOR, is_head=True, school=SchoolFactory()).user
    audit.record(head, AuditEntry.Action.UPDATE, school, label="本校条目")
    audit.record(other, AuditEntry.Action.UPDATE, other.roles.get().school, label="他校条目")
    audit.record(head, AuditEntry.Action.LOGIN, label="我的登录")
    audit.record(other, AuditEntry.Action.LOGIN, label="别人的登录")
    client.force_login(head)
    _, html = queries_for(client)
    assert "本校条目" in html and "我的登录" in html
    assert "他校条目" not in html and "别人的登录" not in html
    _, html = queries_for(client, {"q": "登录"})
    assert "我的登录" in html and "本校条目" not in html and "别人的登录" not in html


def test_parts_are_the_scope(head):
    parts = AuditEntry.objects.visible_parts(head)
    union = set().union(*(set(p.values_list("pk", flat=True)) for p in parts))
    assert union == set(AuditEntry.objects.visible_to(head).values_list("pk", flat=True))


def walk(client, link, side):
    """Follow the page's `side` link ("older" or "newer") to its end: the entries' ids, page by page."""
    pages = []
    while link:
        response = client.get(reverse("counseling:audit-list") + link)
        pages.append([e.pk for e in response.context["entries"]])
        link = response.context[side]
    return pages


def test_keyset_pages_cover_the_trail_once_in_order_even_with_equal_times(client, head):
    school = head.roles.get().school
    client.force_login(head)
    # Entries written in the same microsecond: the id settles their order across pages.
    with mock.patch("counseling.audit.timezone.now", return_value=timezone.now()):
        fill(school, head, 70)
    audit.record(head, AuditEntry.Action.LOGIN, label="我的登录")
    expected = list(
        AuditEntry.objects.visible_to(head).order_by("-at", "-pk").values_list("pk", flat=True)
    )
    first = client.get(reverse("counseling:audit-list"))
    assert first.context["newer"] is None
    pages = [[e.pk for e in first.context["entries"]]] + walk(
        client, first.context["older"], "older"
    )
    assert len(pages) == 2 and len(pages[0]) == 50
    assert sum(pages, []) == expected
    last = client.get(reverse("counseling:audit-list") + first.context["older"])
    assert last.context["older"] is None
    back = client.get(reverse("counseling:audit-list") + last.context["newer"])
    assert [e.pk for e in back.context["entries"]] == pages[0]
    assert back.context["newer"] is None


def test_an_older_page_costs_the_queries_of_the_first(client, head):
    school = head.roles.get().school
    client.force_login(head)
    fill(school, head, 120)
    client.get(reverse("counseling:audit-list"))
    first, _ = queries_for(client)
    link = client.get(reverse("counseling:audit-list")).context["older"]
    older, _ = queries_for(client, dict(p.split("=") for p in link[1:].split("&")))
    assert first == older


@pytest.mark.parametrize("cursor", ["x", "1-", "-5", "99999999999999999999999-1", "1-2-3"])
def test_a_bad_cursor_gives_the_newest_page(client, head, cursor):
    school = head.roles.get().school
    client.force_login(head)
    fill(school, head, 3)
    newest = client.get(reverse("counseling:audit-list")).context["entries"]
    response = client.get(reverse("counseling:audit-list"), {"before": cursor})
    assert response.status_code == 200
    assert response.context["entries"] == newest
