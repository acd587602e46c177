"""The barometer register (台账) as .xlsx: who gets which columns, the sensitive export in
the audit trail, and no cell ever a live formula. The file is made by the export service:
each test asks for it, lets the task run and follows the job's download (tests.exports.flow)."""

import datetime
import io
import re
import zipfile

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from committees.models import Barometer, ConcernKind, CourseSuggestion, StudentOfConcern
from counseling.audit import AuditEntry
from counseling.crypto import keyed_hash
from counseling.models import Semester, Student
from counseling.xlsx import csv_cell, safe_cell
from tests.board_world import NOW, World
from tests.exports.flow import download
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

TIER2_COLUMNS = 5 + len(ConcernKind.values) + 5
TIER3_COLUMNS = TIER2_COLUMNS + 4
NASTY = ["=1+1", "==1+1", "\t=cmd", "+1", "-1", "@SUM(A1)", "\r=x", " =1+1", "\n=1"]


def workbook(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.body)).active


def all_text(sheet):
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def sheet_xml(response):
    with zipfile.ZipFile(io.BytesIO(response.body)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


@pytest.fixture
def url():
    return reverse("committees:barometer-export")


@pytest.fixture
def named(demo):
    """The demo's escalating student: named in its class's barometers."""
    concern = StudentOfConcern.objects.filter(barometer__school_class__department__school=demo)[0]
    return Student.objects.get(pk=concern.student_pk)


def sensitive_exports():
    return AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, changes={"sensitive": True})


class TestWhoGetsWhat:
    def test_counselor_gets_tier_two_only_unless_it_asks(self, client_as, url, named, demo):
        semester = Semester.objects.current(demo)
        sheet = workbook(download(client_as("counselor"), url))
        assert sheet.max_column == TIER2_COLUMNS
        assert sheet.max_row == 1 + Barometer.objects.filter(semester=semester).count()
        assert named.name not in all_text(sheet)
        assert not sensitive_exports().exists()

    def test_counselor_asking_gets_tier_three_and_it_is_logged(
        self, client_as, url, named, user_named, demo
    ):
        sheet = workbook(download(client_as("counselor"), url, {"sensitive": "1"}))
        assert sheet.max_column == TIER3_COLUMNS
        assert named.name in all_text(sheet)
        entry = sensitive_exports().get()
        assert entry.actor == user_named("counselor")
        assert entry.object_id == str(Semester.objects.current(demo).pk)
        assert entry.school_id == demo.pk

    def test_the_school_administrator_gets_no_register(self, client_as, url):
        """The register is class-level text (tier 2): school-wide roles read the figures."""
        assert download(client_as("principal"), url).status_code == 403

    @pytest.mark.parametrize("username", ["liaison"])
    def test_others_get_no_tier_three(self, client_as, url, named, username):
        client = client_as(username)
        sheet = workbook(download(client, url))
        assert sheet.max_column == TIER2_COLUMNS
        assert named.name not in all_text(sheet)
        response = download(client, url, {"sensitive": "1"})
        assert response.status_code == 403
        assert named.name not in response.content.decode(errors="replace")
        assert not sensitive_exports().exists()

    def test_liaison_gets_its_department_only(self, client_as, url, demo):
        sheet = workbook(download(client_as("liaison"), url))
        departments = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert departments == {"信息技术科"}
        semester = Semester.objects.current(demo)
        assert (
            sheet.max_row
            == 1
            + Barometer.objects.filter(
                semester=semester, school_class__department__name="信息技术科"
            ).count()
        )

    @pytest.mark.parametrize("username", ["teacher", "member", "student", "admin"])
    def test_others_are_refused(self, client_as, url, username):
        assert download(client_as(username), url).status_code == 403
        assert download(client_as(username), url, {"sensitive": "1"}).status_code == 403

    def test_a_row_reads_right(self, client_as, url, demo):
        semester = Semester.objects.current(demo)
        barometer = (
            Barometer.objects.filter(semester=semester, late=True)
            .select_related("school_class__department")
            .first()
        )
        sheet = workbook(download(client_as("counselor"), url))
        rows = [
            r
            for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[1] == barometer.school_class.name and r[2] == barometer.week
        ]
        assert len(rows) == 1
        row = rows[0]
        assert row[0] == barometer.school_class.department.name
        counts = dict(barometer.concerns.values_list("kind", "count"))
        assert list(row[5 : 5 + len(ConcernKind.values)]) == [
            counts.get(k, 0) for k in ConcernKind.values
        ]
        submitted = row[5 + len(ConcernKind.values) + 3]
        assert submitted == timezone.localtime(barometer.submitted_at).replace(tzinfo=None)


class TestNoFormulas:
    @pytest.fixture
    def nasty(self, db):
        with time_machine.travel(NOW, tick=False):
            world = World(classes=len(NASTY))
        world.filer.full_name = '=HYPERLINK("http://evil","x")'
        world.filer.save()
        for n, (cls, text) in enumerate(zip(world.classes, NASTY, strict=True)):
            barometer = world.file(cls, 1 + n % 4, note=text)
            CourseSuggestion.objects.create(
                barometer=barometer, department=world.department, text=text
            )
            student = StudentFactory(school_class=cls, school=world.school, name=text)
            StudentOfConcern.objects.create(
                barometer=barometer,
                student_ref=keyed_hash(student.pk),
                student_id_enc=str(student.pk),
                kind=ConcernKind.STUDY,
                severity="watch",
                note=text,
            )
        return world

    def export(self, client, world, sensitive):
        client.force_login(world.counselor)
        with time_machine.travel(NOW, tick=False):
            params = {"semester": world.semester.pk}
            if sensitive:
                params["sensitive"] = "1"
            return download(client, reverse("committees:barometer-export"), params)

    @pytest.mark.parametrize("sensitive", [False, True])
    def test_the_sheet_has_no_formula(self, client, nasty, sensitive):
        response = self.export(client, nasty, sensitive)
        xml = sheet_xml(response)
        assert not re.search(r"<(\w+:)?f[\s>/]", xml), "a cell is a formula"
        assert "<f>" not in xml
        sheet = workbook(response)
        texts = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
        for cell in texts:
            assert cell.data_type == "s"
            if cell.value.lstrip(" ").startswith(("=", "+", "-", "@", "\t", "\r", "\n")):
                assert cell.quotePrefix, cell.value  # text, marked as text
        notes = {c.value for c in texts}
        for text in NASTY:
            # The value a person sees is the text as typed: no apostrophe added to it.
            assert any(v.strip() == text.strip() for v in notes), text

    def test_negative_numbers_stay_numbers(self):
        assert safe_cell(-1) == -1
        assert safe_cell(0) == 0
        assert safe_cell(2.5) == 2.5
        assert safe_cell(True) is True
        assert safe_cell(None) is None


@pytest.mark.parametrize("text", NASTY)
def test_safe_cell_neutralises(text):
    assert safe_cell(text) == text  # the cell's text type and quote prefix do the work
    assert csv_cell(text) == "'" + text  # a CSV has no types: the apostrophe stays there


@pytest.mark.parametrize("text", ["晴", "a=b", "1+1", "note - ok", "'quoted", ""])
def test_safe_cell_leaves_ordinary_text(text):
    assert safe_cell(text) == text


def test_safe_cell_drops_control_characters_and_time_zones():
    assert safe_cell("a\x00b\x07c\x1f") == "abc"
    assert csv_cell("\x01=1+1") == "'=1+1"
    aware = datetime.datetime(2026, 11, 2, 4, 0, tzinfo=datetime.UTC)
    assert safe_cell(aware) == datetime.datetime(2026, 11, 2, 12, 0)  # Asia/Shanghai
    assert safe_cell(datetime.date(2026, 11, 2)) == datetime.date(2026, 11, 2)
