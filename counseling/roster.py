"""Roster import: a school's student list from an .xlsx or .csv file, all or nothing.

Every row is checked before anything is written; one bad row and nothing is imported,
and the counselor sees every bad row with its number and the reason. Writes are in bulk
so that a 5,000-row file takes seconds.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from counseling import audit
from counseling.models import Department, SchoolClass, Student

# Column key → accepted header texts (Chinese first, as in the template).
COLUMNS = {
    "department": ("专业科", "专业部", "系部", "department"),
    "class": ("班级", "class"),
    "student_number": ("学号", "student number", "student_number"),
    "name": ("姓名", "name"),
    "gender": ("性别", "gender"),
    "out_of_town": ("外地生", "外地", "是否外地", "out of town", "out_of_town"),
    "enrolment_year": ("入学年份", "enrolment year", "enrolment_year"),
}
REQUIRED = ("department", "class", "student_number", "name", "gender", "out_of_town")
COLUMN_LABELS = {
    "department": gettext_lazy("department"),
    "class": gettext_lazy("class"),
    "student_number": gettext_lazy("student number"),
    "name": gettext_lazy("name"),
    "gender": gettext_lazy("gender"),
    "out_of_town": gettext_lazy("from out of town"),
    "enrolment_year": gettext_lazy("enrolment year"),
}
TEMPLATE_HEADER = ["专业科", "班级", "学号", "姓名", "性别", "外地生", "入学年份"]
TEMPLATE_EXAMPLE = ["信息技术科", "2026级计算机1班", "20269999", "张三", "男", "是", "2026"]

GENDERS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
YES = {"是", "y", "yes", "true", "1", "外地"}
NO = {"否", "n", "no", "false", "0", "本地"}
YEAR_IN_NAME = re.compile(r"^\s*(\d{4}|\d{2})\s*级?")


class RosterFileError(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header, too many rows)."""


@dataclass
class RowError:
    row: int
    reason: str


@dataclass
class ImportResult:
    errors: list = field(default_factory=list)
    created: int = 0
    updated: int = 0
    departments_created: int = 0
    classes_created: int = 0
    rows: int = 0

    @property
    def ok(self):
        return not self.errors


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_rows(upload):
    """(row number, list of cell texts) for every row, the header first."""
    name = upload.name.lower()
    if name.endswith(".xlsx"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(upload, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise RosterFileError(_("The file is not a readable .xlsx workbook.")) from exc
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in row]
        book.close()
        return
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield number, [_cell(v) for v in row]


def _header_map(header):
    wanted = {alias.lower(): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions = {}
    for index, text in enumerate(header):
        key = wanted.get(text.strip().lower())
        if key and key not in positions:
            positions[key] = index
    missing = [str(COLUMN_LABELS[k]) for k in REQUIRED if k not in positions]
    if missing:
        raise RosterFileError(
            _("The first row must name the columns; missing: %(columns)s.")
            % {"columns": "、".join(missing)}
        )
    return positions


def _default_year():
    today = timezone.localdate()
    return today.year if today.month >= 8 else today.year - 1


def _year_from(text, class_name):
    if text:
        if text.isdigit() and 2000 <= int(text) <= 2100:
            return int(text)
        return None
    match = YEAR_IN_NAME.match(class_name)
    if match:
        year = int(match.group(1))
        return year + 2000 if year < 100 else year
    return _default_year()


def parse(upload):
    """Checked rows and every error; nothing is written."""
    rows, errors = [], []
    iterator = read_rows(upload)
    header = None
    for number, cells in iterator:
        if any(cells):
            header = (number, cells)
            break
    if header is None:
        raise RosterFileError(_("The file is empty."))
    positions = _header_map(header[1])
    seen = {}
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    for number, cells in iterator:
        if not any(cells):
            continue
        if len(rows) + len(errors) >= limit:
            raise RosterFileError(_("The file has more than %(n)s rows.") % {"n": limit})
        value = {k: (cells[i] if i < len(cells) else "") for k, i in positions.items()}
        missing = [str(COLUMN_LABELS[k]) for k in REQUIRED if not value.get(k)]
        if missing:
            errors.append(
                RowError(number, _("missing %(fields)s") % {"fields": "、".join(missing)})
            )
            continue
        reasons = []
        gender = GENDERS.get(value["gender"].lower())
        if gender is None:
            reasons.append(_("unknown gender “%(v)s” (use 男 or 女)") % {"v": value["gender"]})
        flag = value["out_of_town"].lower()
        if flag not in YES and flag not in NO:
            reasons.append(
                _("unknown out-of-town value “%(v)s” (use 是 or 否)") % {"v": value["out_of_town"]}
            )
        year = _year_from(value.get("enrolment_year", ""), value["class"])
        if year is None:
            reasons.append(_("unknown enrolment year “%(v)s”") % {"v": value["enrolment_year"]})
        number_text = value["student_number"]
        if (
            len(number_text) > 30
            or len(value["name"]) > 60
            or len(value["class"]) > 60
            or len(value["department"]) > 60
        ):
            reasons.append(_("a value is too long"))
        if number_text in seen:
            reasons.append(
                _("student number %(num)s appears twice in the file (also row %(row)s)")
                % {"num": number_text, "row": seen[number_text]}
            )
        else:
            seen[number_text] = number
        if reasons:
            errors.append(RowError(number, "；".join(reasons)))
            continue
        rows.append(
            {
                "row": number,
                "department": value["department"],
                "class": value["class"],
                "year": year,
                "student_number": number_text,
                "name": value["name"],
                "gender": gender,
                "out_of_town": flag in YES,
            }
        )
    return rows, errors


def import_roster(school, upload, actor, request=None):
    """Check the whole file; if every row is good, create and update in one transaction."""
    result = ImportResult()
    try:
        rows, errors = parse(upload)
    except RosterFileError as exc:
        result.errors = [RowError(0, str(exc))]
        return result
    result.rows = len(rows) + len(errors)
    if errors:
        result.errors = errors
        return result
    if not rows:
        result.errors = [RowError(0, _("The file has no students below its header."))]
        return result

    with transaction.atomic():
        departments = {
            d.name: d for d in Department.objects.select_for_update().filter(school=school)
        }
        for name in sorted({r["department"] for r in rows} - departments.keys()):
            departments[name] = Department.objects.create(school=school, name=name)
            result.departments_created += 1
        classes = {
            (c.department.name, c.name): c
            for c in SchoolClass.objects.filter(department__school=school).select_related(
                "department"
            )
        }
        new_classes = {}
        for r in rows:
            key = (r["department"], r["class"])
            if key not in classes and key not in new_classes:
                new_classes[key] = SchoolClass(
                    department=departments[key[0]], name=key[1], enrolment_year=r["year"]
                )
        if new_classes:
            SchoolClass.objects.bulk_create(new_classes.values(), batch_size=500)
            result.classes_created = len(new_classes)
            classes.update(
                {
                    (c.department.name, c.name): c
                    for c in SchoolClass.objects.filter(department__school=school).select_related(
                        "department"
                    )
                }
            )
        existing = {s.student_number: s for s in Student.objects.filter(school=school)}
        to_create, to_update = [], []
        for r in rows:
            cls = classes[(r["department"], r["class"])]
            student = existing.get(r["student_number"])
            if student is None:
                to_create.append(
                    Student(
                        school=school,
                        school_class=cls,
                        student_number=r["student_number"],
                        name=r["name"],
                        gender=r["gender"],
                        out_of_town=r["out_of_town"],
                    )
                )
                continue
            new = (cls.pk, r["name"], r["gender"], r["out_of_town"], True)
            old = (
                student.school_class_id,
                student.name,
                student.gender,
                student.out_of_town,
                student.is_active,
            )
            if new != old:
                student.school_class = cls
                student.name, student.gender, student.out_of_town = (
                    r["name"],
                    r["gender"],
                    r["out_of_town"],
                )
                student.is_active = True
                student.updated_at = timezone.now()
                to_update.append(student)
        Student.objects.bulk_create(to_create, batch_size=500)
        Student.objects.bulk_update(
            to_update,
            ["school_class", "name", "gender", "out_of_town", "is_active", "updated_at"],
            batch_size=500,
        )
        result.created, result.updated = len(to_create), len(to_update)
        audit.record(
            actor,
            audit.AuditEntry.Action.IMPORT,
            school,
            request=request,
            school=school,
            label=_("Roster: %(file)s") % {"file": upload.name},
            changes={
                "rows": result.rows,
                "students_created": result.created,
                "students_updated": result.updated,
                "departments_created": result.departments_created,
                "classes_created": result.classes_created,
            },
        )
    return result


def template_workbook():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "名册"
    sheet.append(TEMPLATE_HEADER)
    sheet.append(TEMPLATE_EXAMPLE)
    for column in "ABCDEFG":
        sheet.column_dimensions[column].width = 16
    # Student numbers are text: a number format would drop leading zeros.
    for cell in sheet["C"]:
        cell.number_format = "@"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_csv():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(TEMPLATE_EXAMPLE)
    # A BOM so that Excel on Windows opens the Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
