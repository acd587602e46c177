"""End to end at a phone's width: `member` files this week's barometer naming a student
in danger, and `counselor` then sees the class on the week board and the red alert."""

import os

import pytest

from committees.models import Alert, Barometer, StudentOfConcern
from counseling.models import SchoolClass, Semester, Student

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_member_files_and_counselor_sees_the_alert(demo, live_server, browser, screenshot_dir):
    semester = Semester.objects.current(demo)
    week = semester.current_week()
    if week is None or not semester.is_teaching_week(week):
        pytest.skip("the demo semester has no teaching this week")
    cls = SchoolClass.objects.get(name="2026级计算机应用1班")
    Barometer.objects.filter(semester=semester, school_class=cls, week=week).delete()
    student = Student.objects.filter(school_class=cls, user__isnull=True).order_by(
        "student_number"
    )[7]

    context = browser.new_context(viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "member")
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
    sign_in(page, live_server, "counselor")
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
