"""Roster import: good files create and update, a file with any bad row changes nothing."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from counseling import roster
from counseling.audit import AuditEntry
from counseling.models import Department, SchoolClass, Student
from tests.personas import signed_in

HEADER = ["专业科", "班级", "学号", "姓名", "性别", "外地生"]
URL = "counseling:roster-import"


def xlsx_file(rows, header=HEADER, name="roster.xlsx"):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows, header=HEADER, encoding="utf-8-sig", name="roster.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding))


def counts():
    return (
        Department.objects.count(),
        SchoolClass.objects.count(),
        Student.objects.count(),
        AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).count(),
    )


@pytest.fixture
def existing(world):
    """A student of the world, to be moved and renamed by an import."""
    return Student.objects.filter(school=world.school, out_of_town=False).order_by("pk").first()


def good_rows(existing):
    return [
        ["新能源科", "2026级新能源1班", "N2026001", "钱一", "男", "是"],
        ["新能源科", "2026级新能源1班", "N2026002", "孙二", "女", "否"],
        ["新能源科", "25级新能源1班", "N2025001", "李三", "女", "外地"],
        [
            existing.school_class.department.name,
            existing.school_class.name,
            existing.student_number,
            "改名",
            "女" if existing.gender == "M" else "男",
            "是",
        ],
    ]


def assert_good_import(result, school, existing, before):
    assert result.ok, result.errors
    assert (result.created, result.updated) == (3, 1)
    assert (result.departments_created, result.classes_created) == (1, 2)
    departments, classes, students, imports = before
    assert counts() == (departments + 1, classes + 2, students + 3, imports + 1)
    department = Department.objects.get(school=school, name="新能源科")
    new_class = SchoolClass.objects.get(department=department, name="2026级新能源1班")
    assert new_class.enrolment_year == 2026
    assert SchoolClass.objects.get(name="25级新能源1班").enrolment_year == 2025
    qian = Student.objects.get(school=school, student_number="N2026001")
    assert (qian.name, qian.gender, qian.out_of_town, qian.school_class) == (
        "钱一",
        "M",
        True,
        new_class,
    )
    assert Student.objects.get(student_number="N2026002").out_of_town is False
    assert Student.objects.get(student_number="N2025001").out_of_town is True
    existing.refresh_from_db()
    assert existing.name == "改名"
    assert existing.out_of_town is True


class TestGoodFiles:
    def test_xlsx(self, world, existing):
        before = counts()
        result = roster.import_roster(world.school, xlsx_file(good_rows(existing)), world.counselor)
        assert_good_import(result, world.school, existing, before)
        entry = AuditEntry.objects.filter(action=AuditEntry.Action.IMPORT).latest("id")
        assert entry.actor == world.counselor
        assert entry.school_id == world.school.pk
        assert entry.changes["students_created"] == 3

    def test_csv_utf8(self, world, existing):
        before = counts()
        result = roster.import_roster(world.school, csv_file(good_rows(existing)), world.counselor)
        assert_good_import(result, world.school, existing, before)

    def test_csv_gbk(self, world, existing):
        before = counts()
        upload = csv_file(good_rows(existing), encoding="gbk")
        result = roster.import_roster(world.school, upload, world.counselor)
        assert_good_import(result, world.school, existing, before)
        assert Student.objects.get(student_number="N2026001").name == "钱一"

    def test_numbers_typed_as_numbers_in_excel(self, world):
        upload = xlsx_file([["新能源科", "2026级新能源1班", 2026990001, "钱一", "男", "否"]])
        result = roster.import_roster(world.school, upload, world.counselor)
        assert result.ok, result.errors
        assert Student.objects.filter(school=world.school, student_number="2026990001").exists()

    def test_enrolment_year_column_and_english_header(self, world):
        header = ["department", "class", "student number", "name", "gender", "out of town"]
        upload = csv_file(
            [["新能源科", "新能源高级班", "N1", "钱一", "female", "no", "2024"]],
            header=[*header, "enrolment year"],
        )
        result = roster.import_roster(world.school, upload, world.counselor)
        assert result.ok, result.errors
        assert SchoolClass.objects.get(name="新能源高级班").enrolment_year == 2024

    def test_importing_again_changes_nothing(self, world, existing):
        counselor = world.counselor
        assert roster.import_roster(world.school, csv_file(good_rows(existing)), counselor).ok
        before = counts()
        result = roster.import_roster(world.school, csv_file(good_rows(existing)), counselor)
        assert result.ok
        assert (result.created, result.updated, result.classes_created) == (0, 0, 0)
        assert counts()[:3] == before[:3]

    def test_inactive_student_is_back_on_the_roster(self, world, existing):
        existing.is_active = False
        existing.save()
        result = roster.import_roster(world.school, csv_file(good_rows(existing)), world.counselor)
        assert result.ok
        existing.refresh_from_db()
        assert existing.is_active


BAD_ROWS = [
    # (row as written, reason words in English, the bad value shown back)
    (["新能源科", "2026级新能源1班", "N3", "", "男", "是"], "missing", None),
    (["新能源科", "2026级新能源1班", "N4", "周四", "X", "是"], "gender", "X"),
    (["新能源科", "2026级新能源1班", "N5", "吴五", "女", "maybe"], "out-of-town", "maybe"),
    (["新能源科", "1999级新能源1班", "N6", "郑六", "女", "否", "1999"], "enrolment year", "1999"),
    (["新能源科", "新能源1班", "N7", "王七", "女", "否", "abc"], "enrolment year", "abc"),
    (["新能源科", "2026级新能源1班", "N2026001", "冯八", "男", "否"], "twice", "N2026001"),
    (["", "2026级新能源1班", "N9", "陈九", "男", "否"], "missing", None),
]
BAD_FILE_ROWS = [["新能源科", "2026级新能源1班", "N2026001", "钱一", "男", "否"]] + [
    row for row, _, _ in BAD_ROWS
]
BAD_HEADER = [*HEADER, "入学年份"]


class TestBadRows:
    @pytest.mark.parametrize("make", [xlsx_file, csv_file], ids=["xlsx", "csv"])
    def test_every_bad_row_is_reported_and_nothing_written(self, world, make):
        before = counts()
        with translation.override("en"):
            result = roster.import_roster(
                world.school, make(BAD_FILE_ROWS, header=BAD_HEADER), world.counselor
            )
        assert not result.ok
        # The header is row 1 and the good row is row 2: the bad ones are rows 3 to 9.
        assert [e.row for e in result.errors] == list(range(3, 3 + len(BAD_ROWS)))
        for error, (_, words, value) in zip(result.errors, BAD_ROWS, strict=True):
            assert words in error.reason, error
            if value:
                assert value in error.reason, error
        assert "row 2" in result.errors[5].reason  # the duplicate names the first row
        assert counts() == before
        assert not Department.objects.filter(name="新能源科").exists()

    @pytest.mark.parametrize("index", range(len(BAD_ROWS)))
    def test_one_bad_row_spoils_the_file(self, world, existing, index):
        rows = [[*r, ""] for r in good_rows(existing)]
        rows.insert(2, BAD_ROWS[index][0])
        before = counts()
        result = roster.import_roster(
            world.school, csv_file(rows, header=BAD_HEADER), world.counselor
        )
        assert [e.row for e in result.errors] == [4]
        assert counts() == before
        existing.refresh_from_db()
        assert existing.name != "改名"

    def test_duplicate_of_an_existing_number_is_an_update_not_an_error(self, world, existing):
        rows, errors = roster.parse(csv_file(good_rows(existing)))
        assert not errors
        assert len(rows) == 4

    def test_blank_rows_are_skipped_but_counted(self, world):
        rows = [
            ["新能源科", "2026级新能源1班", "N1", "钱一", "男", "否"],
            ["", "", "", "", "", ""],
            ["新能源科", "2026级新能源1班", "N2", "", "男", "否"],
        ]
        result = roster.import_roster(world.school, csv_file(rows), world.counselor)
        assert [e.row for e in result.errors] == [4]

    def test_too_long_values(self, world):
        rows = [["新能源科", "2026级新能源1班", "N" * 31, "钱一", "男", "否"]]
        result = roster.import_roster(world.school, csv_file(rows), world.counselor)
        assert [e.row for e in result.errors] == [2]


class TestBadFiles:
    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("roster.xlsx", b"this is not a workbook"),
            SimpleUploadedFile("roster.csv", b""),
            SimpleUploadedFile("roster.csv", "学号,姓名\nN1,钱一\n".encode()),
            SimpleUploadedFile("roster.csv", ",".join(HEADER).encode() + b"\n"),
            SimpleUploadedFile("roster.csv", b"\xff\xfe\x00\x00\x80\x81\xfe\xff" * 4),
        ],
        ids=["not-xlsx", "empty", "header-missing-columns", "header-only", "binary"],
    )
    def test_file_level_errors(self, world, upload):
        before = counts()
        result = roster.import_roster(world.school, upload, world.counselor)
        assert not result.ok
        assert [e.row for e in result.errors] == [0]
        assert counts() == before

    def test_too_many_rows(self, world, settings):
        settings.ROSTER_IMPORT_MAX_ROWS = 3
        rows = [["新能源科", "新能源1班", f"N{i}", "钱一", "男", "否"] for i in range(5)]
        result = roster.import_roster(world.school, csv_file(rows), world.counselor)
        assert [e.row for e in result.errors] == [0]
        assert not Department.objects.filter(name="新能源科").exists()


def post_and_confirm(client, upload):
    """The page's two steps: the preview, then the confirmed import."""
    response = client.post(reverse(URL), {"file": upload})
    if response.context.get("preview") is None:
        return response
    return client.post(reverse(URL), {"action": "confirm", "token": response.context["token"]})


class TestPage:
    def test_good_file_shows_the_result(self, world, client, existing):
        client = signed_in(client, world.counselor)
        before = counts()
        response = post_and_confirm(client, xlsx_file(good_rows(existing)))
        assert response.status_code == 200
        assert response.context["result"].ok
        html = response.content.decode()
        assert 'id="import-result"' in html
        assert 'id="import-errors"' not in html
        assert counts()[2] == before[2] + 3

    def test_bad_file_shows_every_error(self, world, client):
        client = signed_in(client, world.counselor)
        before = counts()
        upload = csv_file(BAD_FILE_ROWS, header=BAD_HEADER)
        response = client.post(reverse(URL), {"file": upload})
        assert response.status_code == 400
        html = response.content.decode()
        assert 'id="import-errors"' in html
        for row in range(3, 3 + len(BAD_ROWS)):
            assert f"<td>{row}</td>" in html
        assert "maybe" in html
        assert counts() == before

    def test_wrong_kind_of_file_is_a_form_error(self, world, client):
        client = signed_in(client, world.counselor)
        upload = SimpleUploadedFile("roster.txt", b"whatever")
        response = client.post(reverse(URL), {"file": upload})
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
        assert response.context["result"] is None

    def test_get_shows_the_form(self, world, client):
        response = signed_in(client, world.counselor).get(reverse(URL))
        assert response.status_code == 200
        assert reverse("counseling:roster-template", args=["xlsx"]) in response.content.decode()

    @pytest.mark.parametrize("username", ["admin", "principal", "liaison", "teacher", "member"])
    def test_only_counselors_import(self, world, client, existing, username):
        client = signed_in(client, world.people()[username])
        before = counts()
        assert client.get(reverse(URL)).status_code == 403
        response = client.post(reverse(URL), {"file": csv_file(good_rows(existing))})
        assert response.status_code == 403
        assert counts() == before
        url = reverse("counseling:roster-template", args=["xlsx"])
        assert client.get(url).status_code == 403

    def test_second_counselor_imports_too(self, world, client, existing):
        response = post_and_confirm(
            signed_in(client, world.counselor2), csv_file(good_rows(existing))
        )
        assert response.status_code == 200
        assert response.context["result"].created == 3


class TestTemplates:
    def test_xlsx_template(self, world, client):
        response = signed_in(client, world.counselor).get(
            reverse("counseling:roster-template", args=["xlsx"])
        )
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        rows = list(book.active.iter_rows(values_only=True))
        assert list(rows[0]) == roster.TEMPLATE_HEADER
        assert len(rows) == 1  # the example row is on the second sheet

    def test_csv_template(self, world, client):
        response = signed_in(client, world.counselor).get(
            reverse("counseling:roster-template", args=["csv"])
        )
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == roster.TEMPLATE_HEADER

    def test_unknown_format(self, world, client):
        url = reverse("counseling:roster-template", args=["pdf"])
        assert signed_in(client, world.counselor).get(url).status_code == 404

    @pytest.mark.parametrize("fmt", ["xlsx", "csv"])
    def test_template_imports_no_example_student(self, world, client, fmt):
        client = signed_in(client, world.counselor)
        template = client.get(reverse("counseling:roster-template", args=[fmt])).content
        response = client.post(
            reverse(URL), {"file": SimpleUploadedFile(f"template.{fmt}", template)}
        )
        assert response.status_code == 400
        assert not Student.objects.filter(
            school=world.school, student_number=roster.TEMPLATE_EXAMPLE[2]
        ).exists()


def test_five_thousand_rows(world, client):
    departments = ["大数据科", "新能源科", "康养服务科"]
    rows = [
        [
            departments[i % 3],
            f"{2024 + i % 3}级{departments[i % 3][:-1]}{i % 40 // 3 + 1}班",
            f"B{i:06d}",
            f"学生{i}",
            "男" if i % 2 else "女",
            "是" if i % 5 == 0 else "否",
        ]
        for i in range(5000)
    ]
    before = counts()
    client = signed_in(client, world.counselor)
    response = post_and_confirm(client, csv_file(rows))
    assert response.status_code == 200, response.context["result"].errors[:5]
    result = response.context["result"]
    assert result.created == 5000
    expected_classes = len({(r[0], r[1]) for r in rows})
    assert result.classes_created == expected_classes
    assert counts()[:3] == (before[0] + 3, before[1] + expected_classes, before[2] + 5000)
    assert Student.objects.filter(student_number__startswith="B", out_of_town=True).count() == 1000
