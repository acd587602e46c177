"""End to end in headless Chromium: a counselor types part of a name in the new-case form,
the suggestions list the student, and the case opens under the chosen student number."""

import pytest

from consultations.cases.models import Case
from tests.consultations.test_booking_e2e import sign_in
from tests.consultations.world import World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_counselor_finds_a_student_by_name_and_opens_a_case(live_server, browser):
    world = World()
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, live_server, "c-one")
    page.goto(f"{live_server.url}/consultations/cases/new/")
    field = page.locator("input[name='student']")
    field.fill("小红")
    number = world.other.student_number
    option = page.locator(f"datalist option[value='{number}']")
    option.wait_for(state="attached")
    assert "小红同学" in option.get_attribute("label")
    field.fill(number)  # what picking the suggestion writes
    page.select_option("select[name='origin']", "self")
    page.select_option("select[name='concern']", "study")
    page.fill("input[name='rating']", "5")
    page.click("#case-open")
    page.wait_for_url("**/consultations/cases/*/")
    context.close()
    assert Case.objects.get(school=world.school).student == world.other
