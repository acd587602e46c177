"""Exports and e-mails as outside software reads them: openpyxl, a CSV round trip, the
mail's headers and parts."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.core import mail
from django.utils import translation

from counseling.celery import app as celery_app
from counseling.models import Role
from counseling.notifications.registry import register_kind
from counseling.notifications.services import notify
from counseling.xlsx import Book, csv_cell
from tests.factories import RoleFactory

MAIL = register_kind("tests.edges_mail", label="Test edges mail", email=True)
NASTY = ["=1+1", "+86 138 0000 0000", "-3", "@SUM(A1)", " =2"]


def export(values):
    book = Book(title="晴雨表登记")
    sheet = book.sheet("登记表")
    sheet.row(["电话", "备注"])
    for value in values:
        sheet.row([value, "普通文字"])
    return book.close()


class TestFormulas:
    def test_the_visible_value_is_what_was_typed(self):
        sheet = openpyxl.load_workbook(io.BytesIO(export(NASTY))).active
        cells = [sheet.cell(row=n, column=1) for n in range(2, 2 + len(NASTY))]
        assert [c.value for c in cells] == NASTY
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)
        assert not sheet.cell(row=2, column=2).quotePrefix

    def test_no_formula_in_the_file(self):
        xml = zipfile.ZipFile(io.BytesIO(export(NASTY))).read("xl/worksheets/sheet1.xml")
        assert b"<f>" not in xml and b"<f " not in xml

    def test_csv_round_trip_keeps_the_text_and_computes_nothing(self):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([[csv_cell(v)] for v in NASTY])
        rows = list(csv.reader(io.StringIO(buffer.getvalue())))
        assert [r[0] for r in rows] == ["'" + v for v in NASTY]


class TestPrintSetup:
    def test_landscape_fit_to_width_header_row_title_and_date(self):
        with translation.override("zh-hans"):
            sheet = openpyxl.load_workbook(io.BytesIO(export(["x"] * 300))).active
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.left.text == "晴雨表登记"
        assert "年" in sheet.oddHeader.right.text  # 2026年12月1日

    def test_the_roster_template_prints_too_and_its_number_column_is_text(self):
        from counseling.roster import template_workbook

        book = openpyxl.load_workbook(io.BytesIO(template_workbook()))
        assert all(s.page_setup.orientation == "landscape" for s in book.worksheets)
        assert book.worksheets[0].column_dimensions["C"].number_format == "@"


@pytest.fixture
def eager():
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = old


@pytest.mark.django_db
def test_the_email_has_chinese_punctuation_portal_headers_and_two_parts(
    eager, settings, django_capture_on_commit_callbacks
):
    settings.PORTAL_BASE_URL = "https://xinli.example.edu.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = RoleFactory(kind=Role.Kind.COUNSELOR, user__email="lin@example.edu.cn").user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, MAIL.key, "新的预警", body="2026级计算机1班<第3周>", url="/alerts/1/")
    [message] = mail.outbox
    assert message.subject == "心理辅导平台：新的预警" or message.subject.endswith("：新的预警")
    assert ": " not in message.subject
    headers = message.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["Message-ID"].endswith("@xinli.example.edu.cn>")
    assert "https://xinli.example.edu.cn/alerts/1/" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert 'href="https://xinli.example.edu.cn/alerts/1/"' in html
    assert "&lt;第3周&gt;" in html  # escaped, not markup


@pytest.mark.django_db
def test_the_email_follows_the_persons_language(
    eager, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = RoleFactory(
        kind=Role.Kind.COUNSELOR, user__email="lin@example.edu.cn", user__language="en"
    ).user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, MAIL.key, "New alert")
    assert mail.outbox[0].subject == "Counseling portal: New alert"
