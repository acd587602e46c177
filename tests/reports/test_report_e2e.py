"""End to end in headless Chromium, with a world of its own: a counselor writes a section,
the head counselor submits, the PDF is made (tasks run inline in tests), and the school
administrator downloads it. Screenshots and the PDF's first pages land in tests/artifacts/."""

import os
import shutil
import subprocess

import pytest

from counseling.models import Role
from reports.semester_report.models import ReportVersion
from tests.board_world import World

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def sign_in(context, live_server, username):
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    return page


def new_context(browser, viewport):
    return browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")


def test_write_submit_make_and_download_the_report(live_server, browser, screenshot_dir):
    world = World(classes=2)
    for n, cls in enumerate(world.classes):
        world.file(cls, 1 + n)
    world.user("w-writer", Role.Kind.COUNSELOR)
    home = f"{live_server.url}/reports/report/?semester={world.semester.pk}"

    # A counselor (not the head) starts the report and rewrites its first section.
    context = new_context(browser, DESKTOP)
    page = sign_in(context, live_server, "w-writer")
    page.goto(home)
    page.click("#report-start")
    page.wait_for_selector("#edit-section-0")
    page.click("#edit-section-0")
    page.fill("#id_body", "本学期共收到晴雨表〔barometer.filed〕份，各班按时上交。")
    page.click("#section-save")
    page.wait_for_selector(".alert-success")
    assert "本学期共收到晴雨表2份" in page.inner_text("#section-0")
    assert page.locator("#report-submit").count() == 0  # not the head counselor
    page.screenshot(path=os.path.join(screenshot_dir, "report-draft-1280.png"), full_page=True)
    context.close()

    # The head counselor submits from a phone; the PDF is made after commit.
    context = new_context(browser, PHONE)
    page = sign_in(context, live_server, "w-counselor")
    page.goto(home)
    page.click("#report-versions a")
    page.click("#report-submit")
    page.wait_for_selector("#report-pdf-download")
    page.screenshot(path=os.path.join(screenshot_dir, "report-submitted-390.png"), full_page=True)
    context.close()
    version = ReportVersion.objects.get(report__semester=world.semester)
    assert version.status == "submitted"

    # The school administrator reads it and downloads the PDF.
    context = new_context(browser, DESKTOP)
    page = sign_in(context, live_server, "w-principal")
    assert page.locator("#nav-report").count() == 1
    page.goto(home)
    page.click("#report-versions a")
    assert "本学期共收到晴雨表2份" in page.inner_text("#section-0")
    with page.expect_download() as download:
        page.click("#report-pdf-download")
    path = os.path.join(screenshot_dir, "report-principal.pdf")
    download.value.save_as(path)
    context.close()
    with open(path, "rb") as handle:
        assert handle.read(4) == b"%PDF"
    if shutil.which("pdftoppm"):
        prefix = os.path.join(screenshot_dir, "report-page")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "4", path, prefix], check=True
        )
        assert os.path.exists(prefix + "-1.png") or os.path.exists(prefix + "-01.png")
