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

from committees.barometer import services
from committees.models import ConcernKind, CourseSuggestion, StudentOfConcern, Weather
from counseling.audit import AuditEntry
from counseling.crypto import keyed_hash
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


SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
# The register of the world's semester, filed by hand: `cls` weeks 1–3 (week 3 naming a
# student), `cls_b` week 2 late, both of 信息技术科; `other_cls` (财经商贸科) weeks 1–2.
THIS_SEMESTER = 6
IN_THE_LIAISONS_DEPARTMENT = 4


def file(world, cls, week, *, semester=None, late=False, **filing):
    """The counselor files `cls`'s week, on its Thursday or, late, the Tuesday after."""
    semester = semester or world.semester
    day = semester.week_start(week) + datetime.timedelta(days=8 if late else 3)
    when = datetime.datetime.combine(day, datetime.time(10), tzinfo=SHANGHAI)
    barometer, _created = services.file_barometer(
        world.counselor, cls, semester, week, services.Filing(**filing), now=when
    )
    return barometer


@pytest.fixture
def named(world):
    """The student named in `cls`'s barometer of week 3, by a name no other student has."""
    student = world.students[world.cls.pk][2]
    student.name = "欧阳晓测"
    student.save(update_fields=["name"])
    return student


@pytest.fixture
def register(world, named):
    for week in (1, 2):
        file(world, world.cls, week, weather=Weather.SUNNY)
        file(world, world.other_cls, week, weather=Weather.PARTLY_CLOUDY)
    file(
        world,
        world.cls,
        3,
        weather=Weather.RAIN,
        concerns={ConcernKind.STUDY: 2},
        students=[(named, ConcernKind.STUDY, "watch", "考试前失眠")],
    )
    late = file(
        world,
        world.cls_b,
        2,
        late=True,
        weather=Weather.OVERCAST,
        concerns={ConcernKind.HOMESICK: 1, ConcernKind.FAMILY: 3},
    )
    assert late.late
    # Last semester's barometer is not in this semester's register.
    file(world, world.cls, 1, semester=world.previous, weather=Weather.STORM)
    return late


def sensitive_exports():
    return AuditEntry.objects.filter(action=AuditEntry.Action.EXPORT, changes={"sensitive": True})


class TestWhoGetsWhat:
    def test_counselor_gets_tier_two_only_unless_it_asks(
        self, sign_in, world, url, named, register
    ):
        sheet = workbook(download(sign_in(world.counselor), url))
        assert sheet.max_column == TIER2_COLUMNS
        assert sheet.max_row == 1 + THIS_SEMESTER
        assert named.name not in all_text(sheet)
        assert not sensitive_exports().exists()

    def test_counselor_asking_gets_tier_three_and_it_is_logged(
        self, sign_in, world, url, named, register
    ):
        sheet = workbook(download(sign_in(world.counselor), url, {"sensitive": "1"}))
        assert sheet.max_column == TIER3_COLUMNS
        assert sheet.max_row == 1 + THIS_SEMESTER
        assert named.name in all_text(sheet)
        assert "考试前失眠" in all_text(sheet)
        entry = sensitive_exports().get()
        assert entry.actor == world.counselor
        assert entry.object_id == str(world.semester.pk)
        assert entry.school_id == world.school.pk

    def test_the_school_administrator_gets_no_register(self, sign_in, world, url, register):
        """The register is class-level text (tier 2): school-wide roles read the figures."""
        assert download(sign_in(world.principal), url).status_code == 403

    @pytest.mark.parametrize("username", ["liaison"])
    def test_others_get_no_tier_three(self, sign_in, world, url, named, register, username):
        client = sign_in(getattr(world, username))
        sheet = workbook(download(client, url))
        assert sheet.max_column == TIER2_COLUMNS
        assert named.name not in all_text(sheet)
        response = download(client, url, {"sensitive": "1"})
        assert response.status_code == 403
        assert named.name not in response.content.decode(errors="replace")
        assert not sensitive_exports().exists()

    def test_liaison_gets_its_department_only(self, sign_in, world, url, register):
        sheet = workbook(download(sign_in(world.liaison), url))
        departments = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert departments == {world.dept.name}
        assert sheet.max_row == 1 + IN_THE_LIAISONS_DEPARTMENT

    @pytest.mark.parametrize("username", ["teacher", "member", "student", "admin"])
    def test_others_are_refused(self, sign_in, world, url, register, username):
        client = sign_in(getattr(world, username))
        assert download(client, url).status_code == 403
        assert download(client, url, {"sensitive": "1"}).status_code == 403

    def test_a_row_reads_right(self, sign_in, world, url, register):
        barometer = register  # cls_b's week 2, filed late
        sheet = workbook(download(sign_in(world.counselor), url))
        rows = [
            r
            for r in sheet.iter_rows(min_row=2, values_only=True)
            if r[1] == world.cls_b.name and r[2] == 2
        ]
        assert len(rows) == 1
        row = rows[0]
        assert row[0] == world.dept.name
        counts = {ConcernKind.HOMESICK: 1, ConcernKind.FAMILY: 3}
        assert list(row[5 : 5 + len(ConcernKind.values)]) == [
            counts.get(k, 0) for k in ConcernKind.values
        ]
        submitted = row[5 + len(ConcernKind.values) + 3]
        assert submitted == timezone.localtime(barometer.submitted_at).replace(tzinfo=None)
        assert submitted.date() == world.semester.week_start(3) + datetime.timedelta(days=1)


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
