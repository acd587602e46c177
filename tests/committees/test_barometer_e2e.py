"""End to end at a phone's width: `member` files this week's barometer naming a student
in danger, and `counselor` then sees the class on the week board and the red alert."""

import os

import pytest

from committees.models import Alert, Barometer, StudentOfConcern
from tests.committees.members import appoint_member
from tests.e2e import PHONE, TODAY_WEEK, sign_in, world_of_today

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_files_and_counselor_sees_the_alert(live_server, browser, screenshot_dir):
    world = world_of_today()
    appoint_member(world)
    semester, cls = world.semester, world.cls
    week = semester.current_week()
    assert week == TODAY_WEEK and semester.is_teaching_week(week)
    student = world.students[cls.pk][-1]  # a classmate, named nowhere else
    student.name = "欧阳明月"
    student.save(update_fields=["name"])

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, world.member.username)
    page.click(f"a[href*='/committees/barometer/?class={cls.pk}']")
    page.click("label[for='weather-4']")  # 雨
    page.locator(".concern-grid input").nth(1).fill("2")
    page.click("#students-section summary")
    row = page.locator("#student-rows .student-row").first
    row.locator("select[name='s-0-student']").select_option(str(student.pk))
    row.locator("select[name='s-0-kind']").select_option("family")
    row.locator("select[name='s-0-severity']").select_option("urgent")
    row.locator("[name='s-0-note']").fill("说想离开学校，情绪激动")
    page.screenshot(
        path=os.path.join(screenshot_dir, "e2e-barometer-member-390.png"), full_page=True
    )
    page.click("#save-barometer")
    page.wait_for_selector(".alert-success")
    page.screenshot(
        path=os.path.join(screenshot_dir, "e2e-barometer-filed-390.png"), full_page=True
    )
    context.close()

    barometer = Barometer.objects.get(semester=semester, school_class=cls, week=week)
    assert barometer.weather == 4
    assert StudentOfConcern.objects.get(barometer=barometer).student_pk == student.pk
    alert = Alert.objects.get(barometer=barometer, rule="urgent")
    assert alert.grade == "red"

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, world.counselor.username)
    page.goto(f"{live_server.url}/committees/board/?week={week}")
    tile = page.locator(f"a.board-tile[data-class='{cls.pk}']")
    assert tile.get_attribute("data-state") in ("filed", "late")
    assert tile.locator(".alert-mark").count() == 1
    page.screenshot(
        path=os.path.join(screenshot_dir, "e2e-board-counselor-390.png"), full_page=False
    )
    page.goto(f"{live_server.url}/committees/alerts/{alert.pk}/")
    assert student.name in page.content()
    page.screenshot(
        path=os.path.join(screenshot_dir, "e2e-alert-counselor-390.png"), full_page=True
    )
    context.close()
