"""WCAG 2.1 A and AA (axe-core) on the committee member's and the class teacher's pages, at
phone and desktop width, in the small world of tests/personas.py; and the member's main flow
by keyboard alone: Tab through the sign-in, then to this week's barometer, pick the weather
with the arrow keys, send it with Enter."""

import pytest
from django.urls import reverse
from django.utils import timezone

from committees.models import Barometer, CommitteeMember
from tests.a11y.test_axe import AXE, violations
from tests.personas import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world():
    world = World()
    today = timezone.localdate()
    week = world.semester.current_week(today)
    if week is None or not world.semester.is_teaching_week(week):
        pytest.skip("the world's semester has no teaching week today")
    CommitteeMember.objects.create(
        semester=world.semester,
        school_class=world.cls,
        student=world.member_student,
        appointed_on=world.semester.first_monday,
    )
    world.week = week
    return world


def sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator('main form button[type="submit"]').click()
    page.wait_for_load_state()


MEMBER_PAGES = [
    reverse("home"),
    reverse("committees:barometer-file"),
    reverse("committees:immediate-report"),
    reverse("committees:my-record"),
    reverse("committees:schedule"),
    reverse("notifications:inbox"),
]
TEACHER_PAGES = [
    reverse("home"),
    reverse("committees:week-board"),
    reverse("committees:schedule"),
    reverse("notifications:inbox"),
    reverse("reports:calendar"),
]


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("who", ["member", "teacher"])
def test_no_wcag_violation(live_server, page, world, who, width):
    page.add_init_script(script=AXE)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, f"w-{who}")
    found = {}
    pages = (
        MEMBER_PAGES
        if who == "member"
        else TEACHER_PAGES + [reverse("committees:class-trend", args=[world.cls.pk])]
    )
    for path in pages:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        found[path] = violations(page)
    assert {p: v for p, v in found.items() if v} == {}


def tab_to(page, test, limit=80):
    """Press Tab until the focused element passes `test` (a JS predicate on it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({test}); }}"):
            return
    raise AssertionError(f"Tab never reached: {test}")


def test_sign_in_and_file_by_keyboard_alone(live_server, page, world):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + reverse("login"))
    tab_to(page, "e.id === 'id_username'")
    page.keyboard.type("w-member")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + reverse("home"))

    tab_to(page, "(e.getAttribute('href') || '').startsWith('/committees/barometer/?class=')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#save-barometer")

    tab_to(page, "e.name === 'weather'")
    # In a radio group the arrow keys move and choose; the focus must show where it is.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    chosen = page.evaluate("document.activeElement.value")
    ring = page.evaluate(
        "() => { const l = document.querySelector(`label[for='${document.activeElement.id}']`);"
        " const s = getComputedStyle(l); return s.boxShadow !== 'none' || s.outlineStyle !== 'none'; }"
    )
    assert ring, "the focused weather shows no focus ring"
    tab_to(page, "e.id === 'save-barometer'")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success")

    barometer = Barometer.objects.get(
        semester=world.semester, school_class=world.cls, week=world.week
    )
    assert str(barometer.weather) == chosen
    assert barometer.filed_by == world.member
