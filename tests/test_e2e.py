"""End to end in headless Chromium: a counselor signs in and opens a class's roster."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.personas import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

STUDENTS = 12


def test_counselor_opens_a_class_roster(live_server, page, screenshot_dir):
    # Built inside the test: a transactional test's data is committed, then flushed.
    world = World(students_per_class=STUDENTS)
    department, school_class = world.dept, world.cls
    students = list(school_class.students.order_by("student_number"))
    assert len(students) == STUDENTS

    outside = []
    page.on(
        "request",
        lambda request: (
            None
            if request.url.startswith((live_server.url, "data:"))
            else outside.append(request.url)
        ),
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server.url + reverse("home"))
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.fill("#id_username", world.counselor.username)
    page.fill("#id_password", PASSWORD)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(live_server.url + reverse("home"))

    page.locator("#nav-school").click()  # the school menu folds the network pages together
    page.locator(f'nav a[href="{reverse("counseling:department-list")}"]').click()
    expect(page).to_have_url(live_server.url + reverse("counseling:department-list"))
    page.locator(
        f'a[href="{reverse("counseling:department-detail", args=[department.pk])}"]'
    ).click()
    expect(page.locator("h1")).to_contain_text(department.name)

    page.locator(f'a[href="{reverse("counseling:class-detail", args=[school_class.pk])}"]').click()
    expect(page.locator("h1")).to_contain_text(school_class.name)
    roster = page.locator("#roster tbody tr")
    expect(roster).to_have_count(STUDENTS)
    expect(page.locator("#roster")).to_contain_text(students[0].name)
    expect(page.locator("#roster")).to_contain_text(students[-1].student_number)

    # Bootstrap came from the portal itself: the navbar is laid out, nothing from a CDN.
    assert page.locator("nav.navbar").evaluate("e => getComputedStyle(e).display") == "flex"
    assert outside == []

    wide = os.path.join(screenshot_dir, "counselor-roster-1280.png")
    page.screenshot(path=wide, full_page=True)

    # At a phone's width the menu folds away and the page does not scroll sideways.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".navbar-toggler")).to_be_visible()
    expect(page.locator(f'nav a[href="{reverse("counseling:class-list")}"]')).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone = os.path.join(screenshot_dir, "counselor-roster-390x844.png")
    page.screenshot(path=phone, full_page=True)

    for path in (wide, phone):
        with open(path, "rb") as image:
            assert image.read(8) == b"\x89PNG\r\n\x1a\n"
