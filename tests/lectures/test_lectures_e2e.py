"""End to end in headless Chromium: the counselor plans a five-session lecture for the new
students and records a session's attendance; a student answers the feedback form on a phone."""

import datetime
import os

import pytest
from django.utils import timezone

from counseling.models import Semester
from lectures.events.models import Status
from lectures.models import Feedback, Lecture, SessionClass
from tests.lectures.world import add_grade, add_venues
from tests.personas import PASSWORD, PREFIX

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", f"{PREFIX}{username}")
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def past_monday(semester):
    """A Monday at least a week back, in a teaching week of the semester, so that the
    sessions can be recorded today."""
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    while monday >= semester.first_monday:
        week = semester.week_of(monday)
        if week and semester.is_teaching_week(week) and semester.contains(monday):
            return monday
        monday -= datetime.timedelta(days=7)
    pytest.skip("no teaching week of the current semester is in the past")


def test_counselor_plans_and_records_a_lecture_and_a_student_answers(
    world, live_server, browser, screenshot_dir, settings
):
    # The new students: the world's four classes of 2026 and a fifth, five students each.
    add_grade(world, 2026, classes=1, students=5)
    add_venues(world)
    # The sessions are a week or more in the past: keep their feedback form open.
    settings.FEEDBACK_OPEN_DAYS = 10000
    semester = Semester.objects.current(world.school)
    monday = past_monday(semester)

    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "counselor")
    page.click("#nav-lectures")
    page.click("a.dropdown-item[href='/lectures/']")
    page.click("#new-lecture")
    page.fill("#id_title", "新生心理适应")
    page.fill("#id_speaker", "林老师")
    page.check("input[name=audience][value=grades]")
    page.check("input[name=years][value='2026']")
    page.click("#save-lecture")
    page.wait_for_selector("#series-form")
    lecture = Lecture.objects.get(school=world.school, title="新生心理适应")

    page.select_option("#id_venue", label="学校报告厅 (520)")
    page.fill("#id_count", "5")
    page.fill("#id_first_date", monday.isoformat())
    page.fill("#id_start_time", "10:00")
    page.fill("#id_end_time", "11:30")
    page.click("#fill")
    page.wait_for_selector("#slots .slot-row >> nth=4")
    assert page.locator("#slots .slot-row").count() == 5
    assert page.input_value("#id_slot-4-date") == (monday + datetime.timedelta(days=4)).isoformat()
    page.click("#preview")
    page.wait_for_selector("#series-preview")
    assert "25" in page.inner_text("#series-preview")
    assert not lecture.sessions.exists()  # a preview writes nothing
    page.screenshot(
        path=os.path.join(screenshot_dir, "lectures-series-preview-1280.png"), full_page=True
    )
    page.click("#save-series")
    page.wait_for_selector(".alert-success")
    assert page.locator("#sessions tbody tr").count() == 5
    page.screenshot(path=os.path.join(screenshot_dir, "lectures-detail-1280.png"), full_page=True)
    sessions = list(lecture.sessions.order_by("number"))
    assert len(sessions) == 5
    assert SessionClass.objects.filter(session__lecture=lecture).count() == 5
    assert all(s.expected <= 520 for s in sessions)

    first = sessions[0]
    page.click(f"#sessions a[href='/lectures/sessions/{first.pk}/']")
    page.click("#record")
    inputs = page.locator("#record-form input[type=number][name^=c]")
    count = inputs.count()
    assert count == first.classes.count()
    for n in range(count):
        inputs.nth(n).fill("4")
    page.fill("#id_notes", "秩序良好，互动积极。")
    page.screenshot(path=os.path.join(screenshot_dir, "lectures-record-1280.png"), full_page=True)
    page.click("#save-record")
    page.wait_for_selector(".alert-success")
    assert page.inner_text("#total-present") == str(4 * count)
    first.refresh_from_db()
    assert first.status == Status.HELD and first.actual == 4 * count
    context.close()

    # A student scans the QR code on the projector: no account, a phone's width.
    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.goto(f"{live_server.url}/lectures/f/{first.feedback_token}/")
    page.wait_for_selector("#feedback-form")
    # The five buttons fit side by side on the phone, none cut off.
    boxes = [page.locator(f"label[for=sat-{n}]").bounding_box() for n in range(1, 6)]
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes)
    assert len({round(b["y"]) for b in boxes}) == 1
    assert min(b["height"] for b in boxes) >= 44  # a thumb's target
    page.screenshot(path=os.path.join(screenshot_dir, "lectures-feedback-390.png"), full_page=True)
    page.click("label[for=sat-4]")
    page.fill("#id_helped", "知道了怎样适应新学校。")
    page.fill("#id_wish", "想听听怎么和室友相处。")
    page.click("#send-feedback")
    page.wait_for_url(f"**/lectures/f/{first.feedback_token}/thanks/")
    page.screenshot(
        path=os.path.join(screenshot_dir, "lectures-feedback-thanks-390.png"), full_page=True
    )
    row = Feedback.objects.get(lecture_session=first)
    assert (row.satisfaction, row.wish) == (4, "想听听怎么和室友相处。")
    # The same phone again: told it already answered.
    page.goto(f"{live_server.url}/lectures/f/{first.feedback_token}/")
    assert page.locator("#feedback-form").count() == 0
    page.screenshot(
        path=os.path.join(screenshot_dir, "lectures-feedback-again-390.png"), full_page=True
    )
    context.close()
    assert Feedback.objects.filter(lecture_session=first).count() == 1
