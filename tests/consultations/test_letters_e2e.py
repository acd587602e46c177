"""End to end in headless Chromium: an anonymous visitor writes a letter from a phone, a
counselor answers it, the visitor reads the answer with its code; a counselor signs a note."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from consultations.cases.models import SessionNote
from consultations.letters.models import Letter
from tests.consultations.case_world import case_with_signed_note
from tests.personas import PASSWORD, World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LETTER = "老师好，我最近总是睡不好，上课也没精神，不知道该怎么办。"
REPLY = "同学你好，谢谢你的信。睡不好的时候可以先试试固定作息，也欢迎来咨询室聊聊。"


def _sign_in(page, live_server, username):
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator('main form button[type="submit"]').click()
    expect(page).to_have_url(live_server.url + reverse("home"))


def test_anonymous_letter_answer_and_pickup(live_server, browser, screenshot_dir):
    # Built inside the test: a transactional test's data is committed, then flushed.
    world = World()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    visitor = phone.new_page()
    visitor.goto(
        live_server.url + reverse("consultations:letter-write") + f"?school={world.school.pk}"
    )
    expect(visitor.locator("h1")).to_contain_text("给心理咨询室写信")
    visitor.fill("#id_body", LETTER)
    visitor.locator("#letter-form button[type=submit]").click()
    code = visitor.locator("#pickup-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    visitor.screenshot(path=os.path.join(screenshot_dir, "letter-code-390.png"), full_page=True)
    letter = Letter.objects.filter(school=world.school).order_by("-pk").first()
    assert letter.body == LETTER and letter.student_id is None

    desk = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    counselor = desk.new_page()
    _sign_in(counselor, live_server, world.counselor2.username)
    counselor.goto(live_server.url + reverse("consultations:letter-list"))
    counselor.locator(
        f'a[href="{reverse("consultations:letter-detail", args=[letter.pk])}"]'
    ).click()
    expect(counselor.locator("#letter-body")).to_contain_text(LETTER)
    expect(counselor.locator("#countdown")).to_contain_text("剩余")
    counselor.fill("#id_reply", REPLY)
    counselor.locator("#send-reply").click()
    expect(counselor.locator(".alert-success")).to_be_visible()
    counselor.screenshot(
        path=os.path.join(screenshot_dir, "letter-answered-1280.png"), full_page=True
    )

    visitor.goto(live_server.url + reverse("consultations:letter-pickup"))
    visitor.fill("#id_code", code.lower())
    visitor.locator("main form button[type=submit]").click()
    expect(visitor.locator("#letter-reply")).to_contain_text(REPLY)
    visitor.screenshot(path=os.path.join(screenshot_dir, "letter-pickup-390.png"), full_page=True)
    phone.close()
    desk.close()


def test_counselor_signs_a_session_note(live_server, page, screenshot_dir):
    world = World()
    case = case_with_signed_note(
        world.counselor, world.students[world.cls.pk][2], "第一次面谈：宿舍关系紧张。"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, live_server, world.counselor.username)
    page.goto(live_server.url + reverse("consultations:case-detail", args=[case.pk]))
    page.fill("#note-form textarea", "第二次面谈：宿舍关系有所缓和。")
    page.locator("#note-form button").click()
    expect(page.locator("#timeline")).to_contain_text("宿舍关系有所缓和")
    page.locator(".sign-note").last.click()
    expect(page.locator(".alert-success")).to_contain_text("记录已签署")
    note = SessionNote.objects.filter(case=case).order_by("-pk").first()
    assert note.signed_at is not None
    page.screenshot(path=os.path.join(screenshot_dir, "case-note-signed-390.png"), full_page=True)
