"""WCAG 2.1 A and AA, checked by axe-core (vendored from the npm registry, injected by
Playwright) on the pages of a small school of our own, at phone and desktop width; and the
barometer filing by keyboard alone."""

import datetime
import pathlib

import pytest
from django.urls import reverse
from django.utils import timezone

from counseling.models import Role
from tests.factories import (
    PASSWORD,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
AXE = (pathlib.Path(__file__).parent.parent / "vendor" / "axe.min.js").read_text()
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def page(page):
    """axe in every document the page loads, as an init script: the portal's CSP allows no
    script tag of ours (add_script_tag), and it stays as strict as in production."""
    page.add_init_script(script=AXE)
    return page


def violations(page):
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # A document written by set_content gets no init script; it has no CSP either.
        page.add_script_tag(content=AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
    )
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']][:3]} {v['nodes'][0].get('failureSummary', '')[:200]}"
        for v in result["violations"]
    ]


@pytest.fixture
def school():
    school = SchoolFactory()
    today = timezone.localdate()
    semester = SemesterFactory(
        school=school, first_monday=today - datetime.timedelta(days=today.weekday() + 14)
    )
    cls = SchoolClassFactory(department__school=school)
    StudentFactory(school_class=cls)
    counselor = RoleFactory(school=school, kind=Role.Kind.COUNSELOR, user__username="a11y-c").user
    return {"counselor": counselor, "semester": semester, "class": cls}


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state()


COUNSELOR_PAGES = [
    reverse("home"),
    reverse("counseling:department-list"),
    reverse("counseling:roster-import"),
    reverse("notifications:inbox"),
    reverse("reports:calendar"),
    "/no-such-page/",
]


@pytest.mark.parametrize("width", [390, 1280])
def test_no_wcag_violation_on_the_pages(live_server, page, school, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + reverse("login"))
    found = {reverse("login"): violations(page)}
    sign_in(page, live_server, "a11y-c")
    for path in COUNSELOR_PAGES:
        page.goto(live_server.url + path)
        found[path] = violations(page)
    assert {p: v for p, v in found.items() if v} == {}


@pytest.mark.django_db(transaction=False)
def test_the_check_finds_a_contrast_failure(page):
    """The old orange badge (white on #e8590c, 3.58:1) is caught; the new one passes."""
    badge = '<html lang="zh-hans"><title>t</title><main><span style="color:#fff;background:{}">红色预警</span></main></html>'
    page.set_content(badge.format("#e8590c"))
    assert any(v.startswith("color-contrast") for v in violations(page))
    page.set_content(badge.format("#c2410c"))
    assert violations(page) == []
