"""End to end in headless Chromium: `c-student` books a slot at a phone's width (390 px)
and its counselor confirms it. The world is built around today's real date (a live
server and a frozen clock do not mix), with hours on every day of the week."""

import datetime
import os

import pytest

from consultations.booking.models import Booking
from tests.consultations.world import REASON, HoursFactory, World
from tests.e2e import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def test_student_books_at_phone_width_and_counselor_confirms(live_server, browser, screenshot_dir):
    world = World()
    world.semester.first_monday = datetime.date(2020, 8, 31)  # no break near today
    world.semester.save()
    for weekday in (0, 1, 2, 4, 5, 6):
        HoursFactory(school=world.school, counselor=world.counselor, weekday=weekday)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "c-student")
    page.click("#panel-room a[href$='/consultations/book/']")
    page.wait_for_selector("#room-help")
    assert "400-161-9995" in page.content()
    page.screenshot(path=os.path.join(screenshot_dir, "e2e-booking-slots-390.png"), full_page=True)
    page.locator("a.slot").first.click()
    page.check("input[name='channel'][value='in_person']")
    page.select_option("select[name='category']", str(world.category.pk))
    page.fill("textarea[name='reason']", REASON)
    page.screenshot(path=os.path.join(screenshot_dir, "e2e-booking-form-390.png"), full_page=True)
    page.click("#book-submit")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=os.path.join(screenshot_dir, "e2e-booking-booked-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()

    booking = Booking.objects.get(school=world.school)
    assert booking.status == Booking.Status.PENDING and booking.reason == REASON

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "c-one")
    page.goto(f"{live_server.url}/consultations/bookings/?status=pending")
    page.click(f"a[href$='/consultations/bookings/{booking.pk}/']")
    assert REASON in page.content()
    page.click("#confirm")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=os.path.join(screenshot_dir, "e2e-booking-confirmed.png"), full_page=True)
    context.close()

    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
