"""End to end at a phone's width: the counselor generates a semester's schedule, and an
association officer takes attendance at a meeting."""

import datetime
import os

import pytest
from django.utils import timezone

from committees.models import Attendance, Meeting
from counseling.models import Semester, SemesterBreak

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_counselor_generates_schedule_and_officer_takes_attendance(
    demo, live_server, browser, screenshot_dir
):
    spring = Semester.objects.create(
        school=demo, name="2026-2027学年第二学期", first_monday=datetime.date(2027, 3, 1), weeks=18
    )
    SemesterBreak.objects.create(semester=spring, name="清明节", first_week=6, last_week=6)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "counselor")
    page.goto(f"{live_server.url}/committees/schedule/?semester={spring.pk}")
    page.select_option("#id_weekday", "2")
    page.fill("#id_start_time", "16:30")
    page.fill("#id_end_time", "17:30")
    page.fill("#id_place", "心理辅导中心团体活动室")
    page.click("#schedule-form button")
    page.wait_for_selector(".alert-success")
    assert page.locator(".list-group-item-action").count() == 17  # 18 weeks, week 6 off
    assert "第6周" not in page.content()
    page.screenshot(
        path=os.path.join(screenshot_dir, "committees-schedule-390.png"), full_page=True
    )
    assert Meeting.objects.filter(semester=spring).count() == 17
    context.close()

    semester = Semester.objects.current(demo)
    meeting = (
        Meeting.objects.filter(semester=semester, date__lte=timezone.localdate())
        .exclude(status="cancelled")
        .order_by("-date")
        .first()
    )
    Attendance.objects.filter(meeting=meeting).delete()
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "member02")  # the association's chair
    page.goto(f"{live_server.url}/committees/meetings/{meeting.pk}/")
    page.click("a[href$='/attendance/']")
    first = page.locator("#attendance-form .list-group-item").first
    first.locator("label", has_text="请假").click()
    first.locator("input[type=text]").fill("病假")
    page.select_option("#rest", "present")
    page.screenshot(
        path=os.path.join(screenshot_dir, "committees-attendance-390.png"), full_page=False
    )
    page.click("#save-attendance")
    page.wait_for_selector(".alert-success")
    page.screenshot(path=os.path.join(screenshot_dir, "committees-meeting-390.png"), full_page=True)
    rows = Attendance.objects.filter(meeting=meeting)
    assert rows.filter(status="excused", reason="病假").count() == 1
    assert rows.filter(status="present").count() == rows.count() - 1 > 0
    context.close()
