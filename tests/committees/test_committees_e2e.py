"""End to end at a phone's width: the counselor generates a semester's schedule, and an
association officer takes attendance at a meeting."""

import datetime
import os

import pytest
from django.utils import timezone

from committees.models import AssociationOfficer, Attendance, Meeting
from counseling.models import Semester, SemesterBreak
from tests.committees.members import appoint, appoint_member, new_meeting
from tests.e2e import PHONE, sign_in, world_of_today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_counselor_generates_schedule_and_officer_takes_attendance(
    live_server, browser, screenshot_dir
):
    world = world_of_today()
    spring = Semester.objects.create(
        school=world.school,
        name="2026-2027学年第二学期",
        first_monday=world.semester.first_monday + datetime.timedelta(weeks=26),
        weeks=18,
    )
    SemesterBreak.objects.create(semester=spring, name="清明节", first_week=6, last_week=6)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, world.counselor.username)
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

    # Three members expected today; the chair of the association is one of them.
    appoint_member(world)
    appoint(world, world.students[world.cls_b.pk][0])
    chair = appoint(world, world.students[world.other_cls.pk][0])
    AssociationOfficer.objects.create(
        school=world.school,
        student=chair.student,
        position=AssociationOfficer.Position.CHAIR,
        starts_on=world.semester.first_monday,
    )
    meeting = new_meeting(world.semester, timezone.localdate())
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, chair.student.user.username)
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
    assert rows.filter(status="present").count() == 2
    assert rows.count() == 3
    context.close()
