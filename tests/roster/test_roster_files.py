"""Roster files as schools have them: each case measured in issue 12, with a real file."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from counseling import roster
from counseling.models import Role, SchoolClass, Student
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
)
from tests.roster.files import HEADER, csv_file, ods, xls, xlsx

pytestmark = pytest.mark.django_db
ROW = ["信息技术科", "2026级计算机应用2班", "2026030103", "张伟", "男", "否"]


@pytest.fixture
def school():
    return SchoolFactory()


@pytest.fixture
def counselor(school):
    return RoleFactory(school=school, kind=Role.Kind.COUNSELOR).user


def run(school, upload):
    with translation.override("en"):
        return roster.import_roster(school, upload, None)


class TestLayouts:
    def test_title_row_with_merged_cells_above_the_header(self, school):
        result = run(school, xlsx([HEADER, ROW], title="2026级新生名单"))
        assert result.ok, result.errors
        assert Student.objects.get(school=school, student_number="2026030103").name == "张伟"

    def test_spaced_headers(self, school):
        header = ["专业科", "班　级", "学　号", "姓　名", "性 别", "外地生"]
        assert run(school, xlsx([header, ROW])).ok

    @pytest.mark.parametrize(
        "header",
        [
            ["专业部", "班级名称", "学籍号", "学生姓名", "性别", "是否外地"],
            ["系部", "班级", "学号", "姓名", "性别", "外地生"],
            ["专业", "班级", "学号*", "姓名：", "性别", "是否外地"],
        ],
    )
    def test_header_synonyms(self, school, header):
        assert run(school, csv_file([header, ROW])).ok

    def test_header_beyond_the_first_rows_is_not_searched(self, school):
        rows = [["说明"]] * roster.HEADER_SEARCH_ROWS + [HEADER, ROW]
        result = run(school, csv_file(rows))
        assert [e.row for e in result.errors] == [0]
        assert "first 10" in result.errors[0].reason

    def test_origin_compared_with_the_schools_home_region(self, school):
        school.home_region = "宁波，鄞州"
        school.save()
        header = ["专业科", "班级", "学号", "姓名", "性别", "生源地"]
        rows = [
            header,
            [*ROW[:5], "浙江省宁波市鄞州区"],
            ["信息技术科", "2026级计算机应用2班", "2026030104", "李娜", "女", "贵州省毕节市"],
        ]
        assert run(school, csv_file(rows)).ok
        flags = dict(
            Student.objects.filter(school=school).values_list("student_number", "out_of_town")
        )
        assert flags == {"2026030103": False, "2026030104": True}

    def test_origin_without_a_home_region_says_what_to_set(self, school):
        header = ["专业科", "班级", "学号", "姓名", "性别", "生源地"]
        result = run(school, csv_file([header, [*ROW[:5], "宁波"]]))
        assert [e.row for e in result.errors] == [0]
        assert "生源地" in result.errors[0].reason and "本校所在地" in result.errors[0].reason

    def test_footer_and_note_rows_are_skipped_and_said(self, school):
        rows = [HEADER, ROW, ["班主任签字：", "", "", "", "", ""], ["注：外地生填是或否"]]
        result = run(school, xlsx(rows))
        assert result.ok, result.errors
        assert [s.row for s in result.skipped] == [3, 4]
        assert Student.objects.filter(school=school).count() == 1

    def test_a_row_missing_its_name_is_still_an_error(self, school):
        result = run(
            school,
            csv_file([HEADER, ["信息技术科", "2026级计算机1班", "2026030105", "", "男", "否"]]),
        )
        assert [e.row for e in result.errors] == [2]


class TestFormats:
    @pytest.mark.parametrize("make", [xls, ods, xlsx], ids=["xls", "ods", "xlsx"])
    def test_spreadsheets_with_numbers_typed_as_numbers(self, school, make):
        row = [*ROW[:2], 2026030103, *ROW[3:]]
        result = run(school, make([HEADER, row]))
        assert result.ok, result.errors
        assert Student.objects.filter(student_number="2026030103").exists()

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
    def test_csv_encodings(self, school, encoding):
        result = run(school, csv_file([HEADER, ROW], encoding=encoding))
        assert result.ok, result.errors
        assert Student.objects.get(student_number="2026030103").name == "张伟"

    def test_a_broken_xls_is_refused_with_a_hint(self, school):
        result = run(school, SimpleUploadedFile("roster.xls", b"\xd0\xcf\x11\xe0 broken"))
        assert [e.row for e in result.errors] == [0]
        assert ".xlsx" in result.errors[0].reason


class TestCells:
    def test_full_width_digits_are_the_same_student(self, school):
        run(school, csv_file([HEADER, [*ROW[:2], "２０２６０３０１０３", *ROW[3:]]]))
        assert run(school, csv_file([HEADER, ROW])).ok
        assert list(
            Student.objects.filter(school=school).values_list("student_number", flat=True)
        ) == ["2026030103"]

    def test_ideographic_space_inside_a_name(self, school):
        run(school, csv_file([HEADER, [*ROW[:3], "张　伟", *ROW[4:]]]))
        result = run(school, csv_file([HEADER, [*ROW[:3], " 张伟 ", *ROW[4:]]]))
        assert (result.created, result.updated) == (0, 0)
        assert Student.objects.get(school=school).name == "张伟"

    def test_western_names_keep_their_space(self, school):
        run(school, csv_file([HEADER, [*ROW[:3], "Anna  Li", *ROW[4:]]]))
        assert Student.objects.get(school=school).name == "Anna Li"

    def test_excel_scientific_notation_is_refused_with_the_fix(self, school):
        result = run(school, csv_file([HEADER, [*ROW[:2], "2.03E+09", *ROW[3:]]]))
        assert [e.row for e in result.errors] == [2]
        assert "2.03E+09" in result.errors[0].reason
        assert "format" in result.errors[0].reason and "text" in result.errors[0].reason
        assert not Student.objects.filter(school=school).exists()

    def test_the_schools_pattern(self, school):
        school.student_number_pattern = r"\d{10}"
        school.save()
        result = run(school, csv_file([HEADER, ROW, [*ROW[:2], "N2026", *ROW[3:]]]))
        assert [e.row for e in result.errors] == [3]
        assert r"\d{10}" in result.errors[0].reason

    def test_the_name_column_is_called_姓名(self, school):
        with translation.override("zh-hans"):
            result = roster.import_roster(
                school, csv_file([["专业科", "班级", "学号", "性别", "外地生"], ROW]), None
            )
        assert "姓名" in result.errors[0].reason
        assert "名称" not in result.errors[0].reason


class TestTemplate:
    def test_xlsx_example_is_on_a_second_sheet_and_the_column_is_text(self, school):
        book = openpyxl.load_workbook(io.BytesIO(roster.template_workbook()))
        first = book.worksheets[0]
        assert [list(r) for r in first.iter_rows(values_only=True)] == [roster.TEMPLATE_HEADER]
        assert first.column_dimensions["C"].number_format == "@"
        assert roster.TEMPLATE_EXAMPLE in [
            list(r) for r in book["说明"].iter_rows(values_only=True)
        ]

    def test_the_csv_templates_example_row_is_never_imported(self, school):
        upload = SimpleUploadedFile("t.csv", roster.template_csv())
        parsed = roster.parse_file(upload, school)
        assert parsed.rows == [] and [s.row for s in parsed.skipped] == [2]

    def test_the_example_row_among_real_rows(self, school):
        rows = [roster.TEMPLATE_HEADER, roster.TEMPLATE_EXAMPLE, [*ROW, "2026"]]
        result = run(school, csv_file(rows))
        assert result.ok and result.created == 1
        assert not Student.objects.filter(name="张三").exists()


class TestPreviewPage:
    URL = reverse("counseling:roster-import")

    def test_preview_then_confirm(self, client, school, counselor):
        cls = SchoolClassFactory(
            department=DepartmentFactory(school=school, name="信息技术科"),
            name="2026级计算机应用2班",
        )
        StudentFactory(school_class=cls, student_number="2026030101", name="旧名")
        client.force_login(counselor)
        rows = [
            HEADER,
            ["信息技术科", "2026级计算机应用2班", "2026030101", "新名", "女", "否"],
            ["信息技术科", "2026级计算机2班", "2026030102", "王芳", "女", "否"],
            ["班主任签字："],
        ]
        response = client.post(self.URL, {"action": "check", "file": csv_file(rows)})
        assert response.status_code == 200
        preview = response.context["preview"]
        assert (len(preview.created), len(preview.updated), len(preview.skipped)) == (1, 1, 1)
        assert preview.new_classes[0]["similar"] == "2026级计算机应用2班"
        html = response.content.decode()
        assert 'id="import-preview"' in html and "2026级计算机应用2班" in html
        # Nothing is written by the preview.
        assert Student.objects.get(student_number="2026030101").name == "旧名"
        assert SchoolClass.objects.filter(department__school=school).count() == 1

        token = response.context["token"]
        response = client.post(self.URL, {"action": "confirm", "token": token})
        assert response.context["result"].ok
        assert (response.context["result"].created, response.context["result"].updated) == (1, 1)
        assert Student.objects.get(student_number="2026030101").name == "新名"
        # The same token twice does not import twice.
        response = client.post(self.URL, {"action": "confirm", "token": token})
        assert response.status_code == 302

    def test_a_file_with_errors_gets_no_preview(self, client, school, counselor):
        client.force_login(counselor)
        rows = [HEADER, [*ROW[:2], "2.03E+09", *ROW[3:]]]
        response = client.post(self.URL, {"action": "check", "file": csv_file(rows)})
        assert response.status_code == 400
        assert response.context["preview"] is None
        assert "2.03E+09" in response.content.decode()

    def test_xls_ods_accepted_by_the_form(self, client, school, counselor):
        client.force_login(counselor)
        for make in (xls, ods):
            response = client.post(self.URL, {"action": "check", "file": make([HEADER, ROW])})
            assert response.context["preview"] is not None, make

    def test_settings_form(self, client, school, counselor):
        client.force_login(counselor)
        data = {
            "action": "settings",
            "settings-home_region": "宁波",
            "settings-student_number_pattern": r"\d{10}",
        }
        assert client.post(self.URL, data).status_code == 302
        school.refresh_from_db()
        assert (school.home_region, school.student_number_pattern) == ("宁波", r"\d{10}")
        data["settings-student_number_pattern"] = "(["
        assert client.post(self.URL, data).status_code == 400

    def test_other_schools_counselor_sees_no_rows_of_this_one(self, client, school):
        other = RoleFactory(kind=Role.Kind.COUNSELOR).user
        StudentFactory(
            school_class=SchoolClassFactory(department=DepartmentFactory(school=school)),
            student_number="2026030103",
        )
        client.force_login(other)
        response = client.post(self.URL, {"action": "check", "file": csv_file([HEADER, ROW])})
        assert len(response.context["preview"].created) == 1
