"""Roster import: a school's student list from a spreadsheet or a CSV file, all or nothing.

Files come as schools have them: a title row or two above the header, spaced or synonym
headers, full-width digits, a signature line at the bottom, old .xls from a 学籍 system.
Every row is checked and the counselor sees a preview (created, updated, skipped, new
classes) before anything is written; one bad row and nothing is imported. Writes are in
bulk so that a 5,000-row file takes seconds.
"""

import csv
import difflib
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from counseling import audit
from counseling.models import Department, SchoolClass, Student
from counseling.xlsx import Book

# Column key → accepted header texts, compared after normalise_header (NFKC, no spaces,
# lower case, no trailing colon or required-marker).
COLUMNS = {
    "department": ("专业科", "专业部", "系部", "专业", "系", "部门", "department"),
    "class": ("班级", "班级名称", "班名", "行政班", "class"),
    "student_number": ("学号", "学籍号", "学生学号", "student number", "student_number"),
    "name": ("姓名", "学生姓名", "name", "student name"),
    "gender": ("性别", "gender"),
    "out_of_town": (
        "外地生",
        "外地",
        "是否外地",
        "是否外地生",
        "out of town",
        "out_of_town",
    ),
    "origin": ("生源地", "生源所在地", "origin"),
    "enrolment_year": ("入学年份", "入学年", "enrolment year", "enrolment_year"),
}
REQUIRED = ("department", "class", "student_number", "name", "gender")
# The label a person reads is the header the file must carry (姓名, not the model's 名称).
COLUMN_LABELS = {
    "department": pgettext_lazy("roster column", "department"),
    "class": pgettext_lazy("roster column", "class"),
    "student_number": pgettext_lazy("roster column", "student number"),
    "name": pgettext_lazy("roster column", "name"),
    "gender": pgettext_lazy("roster column", "gender"),
    "out_of_town": pgettext_lazy("roster column", "from out of town"),
    "origin": pgettext_lazy("roster column", "place of origin"),
    "enrolment_year": pgettext_lazy("roster column", "enrolment year"),
}
FORMATS = (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".csv")
HEADER_SEARCH_ROWS = 10
TEMPLATE_HEADER = ["专业科", "班级", "学号", "姓名", "性别", "外地生", "入学年份"]
TEMPLATE_EXAMPLE = ["信息技术科", "2026级计算机1班", "20269999", "张三", "男", "是", "2026"]

GENDERS = {"男": "M", "m": "M", "male": "M", "女": "F", "f": "F", "female": "F"}
YES = {"是", "y", "yes", "true", "1", "外地", "√"}
NO = {"否", "n", "no", "false", "0", "本地", "×"}
YEAR_IN_NAME = re.compile(r"^\s*(\d{4}|\d{2})\s*级?")
DEFAULT_NUMBER = re.compile(r"[A-Za-z0-9-]{1,30}")
SCIENTIFIC = re.compile(r"\d+(\.\d+)?e[+-]?\d+", re.IGNORECASE)
# A row below the header with no student number and no name, naming one of these, is a
# footer or note ("班主任签字：", "注：…", "合计 52 人"), skipped and listed in the preview.
FOOTER = re.compile(r"签字|签名|签章|盖章|制表|填表|审核|备注|注[:：]|^注|说明|合计|共计|总计|日期")
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]"
SPACE_IN_NAME = re.compile(rf"(?<={HAN})\s+(?={HAN})")


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
    skipped: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class Parsed:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    header_row: int = 0


def normalise(value):
    """The text of a cell: NFKC (full-width digits and letters), spaces trimmed and collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    text = unicodedata.normalize("NFKC", str(value))
    return " ".join(text.split())


def normalise_name(text):
    """A person's name without the spaces schools type inside Chinese names (张　伟 → 张伟)."""
    return SPACE_IN_NAME.sub("", normalise(text))


def normalise_header(text):
    return re.sub(r"\s+", "", normalise(text)).lower().rstrip(":：*＊")


def _read_spreadsheet(upload):
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(upload)
        sheet = book.get_sheet_by_index(0)
        # skip_empty_area=False keeps the sheet's own row numbers for the messages.
        table = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several kinds for a broken or locked file
        raise RosterFileError(
            _(
                "The file cannot be read as a spreadsheet. Open it in Excel or WPS and save it "
                "again as .xlsx (or .csv)."
            )
        ) from exc
    for number, row in enumerate(table, start=1):
        yield number, [normalise(v) for v in row]


def _read_csv(upload):
    raw = upload.read()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    if "\x00" in text:
        raise RosterFileError(_("The CSV file is neither UTF-8 nor GBK text."))
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        yield number, [normalise(v) for v in row]


def read_rows(upload):
    """(row number, list of normalised cell texts) for every row of the first sheet."""
    name = upload.name.lower()
    if name.endswith(".csv"):
        return _read_csv(upload)
    if name.endswith(FORMATS):
        return _read_spreadsheet(upload)
    raise RosterFileError(_("Please upload an .xlsx, .xls, .ods or .csv file."))


def _positions(cells):
    wanted = {normalise_header(alias): key for key, aliases in COLUMNS.items() for alias in aliases}
    positions = {}
    for index, text in enumerate(cells):
        key = wanted.get(normalise_header(text))
        if key and key not in positions:
            positions[key] = index
    return positions


def _missing(positions):
    missing = [str(COLUMN_LABELS[k]) for k in REQUIRED if k not in positions]
    if "out_of_town" not in positions and "origin" not in positions:
        missing.append(str(COLUMN_LABELS["out_of_town"]))
    return missing


def find_header(rows):
    """The first row within the first few that names every required column."""
    best = None
    for number, cells in rows:
        if any(cells):
            positions = _positions(cells)
            missing = _missing(positions)
            if not missing:
                return number, positions
            if best is None or len(missing) < len(best):
                best = missing
        if number >= HEADER_SEARCH_ROWS:
            break
    if best is None:
        raise RosterFileError(_("The file is empty."))
    raise RosterFileError(
        _(
            "No row among the first %(n)s names the columns; missing: %(columns)s. "
            "The header needs 专业科, 班级, 学号, 姓名, 性别 and 外地生 (or 生源地)."
        )
        % {"n": HEADER_SEARCH_ROWS, "columns": "、".join(best)}
    )


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


def _home_regions(school):
    text = normalise(getattr(school, "home_region", "") or "")
    return [r for r in re.split(r"[,，、;；\s]+", text) if r]


def _number_problem(number, school):
    if SCIENTIFIC.fullmatch(number):
        return _(
            "student number “%(v)s” looks like a number Excel turned into %(v)s: format the "
            "学号 column as text, type the numbers again and save"
        ) % {"v": number}
    pattern = getattr(school, "student_number_pattern", "") or ""
    if pattern:
        if not re.fullmatch(pattern, number):
            return _("student number “%(v)s” does not match the school's pattern %(p)s") % {
                "v": number,
                "p": pattern,
            }
    elif not DEFAULT_NUMBER.fullmatch(number):
        return _("student number “%(v)s” may hold only letters and digits") % {"v": number}
    return None


def _is_example(value):
    return [
        value.get("department"),
        value.get("class"),
        value.get("student_number"),
        value.get("name"),
    ] == TEMPLATE_EXAMPLE[:4]


def parse(upload, school=None):
    """Checked rows and every error; nothing is written. Returns (rows, errors)."""
    parsed = parse_file(upload, school)
    return parsed.rows, parsed.errors


def parse_file(upload, school=None):
    """Checked rows, errors and skipped rows (footers, the template's example)."""
    parsed = Parsed()
    iterator = read_rows(upload)
    head = []
    for number, cells in iterator:
        head.append((number, cells))
        if number >= HEADER_SEARCH_ROWS:
            break
    parsed.header_row, positions = find_header(head)
    regions = _home_regions(school)
    if "out_of_town" not in positions and not regions:
        raise RosterFileError(
            _(
                "The file gives 生源地 but not 外地生. Set the school's own city or province "
                "below (本校所在地) so that the portal can tell who is from out of town, or "
                "add a 外地生 column (是/否)."
            )
        )
    seen = {}
    limit = settings.ROSTER_IMPORT_MAX_ROWS
    remaining = ((n, c) for n, c in head if n > parsed.header_row)

    def all_rows():
        yield from remaining
        yield from iterator

    for number, cells in all_rows():
        if not any(cells):
            continue
        if len(parsed.rows) + len(parsed.errors) >= limit:
            raise RosterFileError(_("The file has more than %(n)s rows.") % {"n": limit})
        value = {k: (cells[i] if i < len(cells) else "") for k, i in positions.items()}
        value["name"] = SPACE_IN_NAME.sub("", value.get("name", ""))
        value["student_number"] = value.get("student_number", "").replace(" ", "")
        if not value["student_number"] and not value["name"]:
            text = " ".join(c for c in cells if c)
            if FOOTER.search(text) or sum(1 for c in cells if c) == 1:
                parsed.skipped.append(
                    RowError(number, _("a note or signature row: “%(t)s”") % {"t": text[:40]})
                )
                continue
        if _is_example(value):
            parsed.skipped.append(RowError(number, _("the template's example row")))
            continue
        needed = list(REQUIRED) + ["out_of_town" if "out_of_town" in positions else "origin"]
        missing = [str(COLUMN_LABELS[k]) for k in needed if not value.get(k)]
        if missing:
            parsed.errors.append(
                RowError(number, _("missing %(fields)s") % {"fields": "、".join(missing)})
            )
            continue
        reasons = []
        gender = GENDERS.get(value["gender"].lower())
        if gender is None:
            reasons.append(_("unknown gender “%(v)s” (use 男 or 女)") % {"v": value["gender"]})
        if "out_of_town" in positions:
            flag = value["out_of_town"].lower()
            if flag not in YES and flag not in NO:
                reasons.append(
                    _("unknown out-of-town value “%(v)s” (use 是 or 否)")
                    % {"v": value["out_of_town"]}
                )
            out_of_town = flag in YES
        else:
            out_of_town = not any(region in value["origin"] for region in regions)
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
        else:
            problem = _number_problem(number_text, school)
            if problem:
                reasons.append(problem)
        if number_text in seen:
            reasons.append(
                _("student number %(num)s appears twice in the file (also row %(row)s)")
                % {"num": number_text, "row": seen[number_text]}
            )
        else:
            seen[number_text] = number
        if reasons:
            parsed.errors.append(RowError(number, "；".join(reasons)))
            continue
        parsed.rows.append(
            {
                "row": number,
                "department": value["department"],
                "class": value["class"],
                "year": year,
                "student_number": number_text,
                "name": value["name"],
                "gender": gender,
                "out_of_town": out_of_town,
            }
        )
    return parsed


@dataclass
class Preview:
    """What an import of these rows would do, computed with a fixed number of queries."""

    rows: list
    skipped: list
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    new_departments: list = field(default_factory=list)
    new_classes: list = field(default_factory=list)


def preview(school, rows, skipped=()):
    result = Preview(rows=rows, skipped=list(skipped))
    departments = set(Department.objects.filter(school=school).values_list("name", flat=True))
    classes = {}
    for dept, name in SchoolClass.objects.filter(department__school=school).values_list(
        "department__name", "name"
    ):
        classes.setdefault(dept, set()).add(name)
    all_class_names = {n for names in classes.values() for n in names}
    students = {
        s["student_number"]: s
        for s in Student.objects.filter(school=school).values(
            "student_number",
            "name",
            "gender",
            "out_of_town",
            "is_active",
            "school_class__name",
            "school_class__department__name",
        )
    }
    new_classes = {}
    for r in rows:
        if r["department"] not in departments and r["department"] not in result.new_departments:
            result.new_departments.append(r["department"])
        key = (r["department"], r["class"])
        if r["class"] not in classes.get(r["department"], ()) and key not in new_classes:
            similar = difflib.get_close_matches(r["class"], all_class_names, n=1, cutoff=0.75)
            new_classes[key] = {
                "department": r["department"],
                "name": r["class"],
                "similar": similar[0] if similar else "",
                "students": 0,
            }
        if key in new_classes:
            new_classes[key]["students"] += 1
        old = students.get(r["student_number"])
        if old is None:
            result.created.append(r)
            continue
        changes = []
        if old["name"] != r["name"]:
            changes.append(f"{old['name']} → {r['name']}")
        if (old["school_class__department__name"], old["school_class__name"]) != key:
            changes.append(f"{old['school_class__name']} → {r['class']}")
        if old["gender"] != r["gender"] or old["out_of_town"] != r["out_of_town"]:
            changes.append(_("gender or out-of-town"))
        if not old["is_active"]:
            changes.append(_("back on the roster"))
        if changes:
            result.updated.append({**r, "changes": "；".join(changes)})
        else:
            result.unchanged += 1
    result.new_classes = list(new_classes.values())
    return result


def apply_rows(school, rows, actor, file_name, request=None, skipped=()):
    """Create and update every row in one transaction (rows already checked by parse)."""
    result = ImportResult(rows=len(rows), skipped=list(skipped))
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
            label=_("Roster: %(file)s") % {"file": file_name},
            changes={
                "rows": result.rows,
                "rows_skipped": len(result.skipped),
                "students_created": result.created,
                "students_updated": result.updated,
                "departments_created": result.departments_created,
                "classes_created": result.classes_created,
            },
        )
    return result


def check(school, upload):
    """Parse a file for the preview: (Parsed, or None with an ImportResult of errors)."""
    result = ImportResult()
    try:
        parsed = parse_file(upload, school)
    except RosterFileError as exc:
        result.errors = [RowError(0, str(exc))]
        return None, result
    result.rows = len(parsed.rows) + len(parsed.errors)
    result.skipped = parsed.skipped
    if parsed.errors:
        result.errors = parsed.errors
        return None, result
    if not parsed.rows:
        result.errors = [RowError(0, _("The file has no students below its header."))]
        return None, result
    return parsed, result


def import_roster(school, upload, actor, request=None):
    """Check the whole file; if every row is good, create and update in one transaction."""
    parsed, result = check(school, upload)
    if parsed is None:
        return result
    return apply_rows(school, parsed.rows, actor, upload.name, request, parsed.skipped)


def template_workbook():
    """The header on the first sheet (学号 text for the whole column); the example elsewhere."""
    book = Book(title=_("Roster"))
    # Student numbers are text for the whole column: a number format would drop leading
    # zeros and show long numbers as 2.03E+09. A column style covers rows not yet typed.
    sheet = book.sheet("名册", widths=[16] * 7, text_columns=[2], freeze="A2")
    sheet.row(TEMPLATE_HEADER)
    notes = book.sheet("说明", widths=[16])
    notes.row([_("Only the first sheet is imported. An example row:")])
    notes.row(TEMPLATE_HEADER)
    notes.row(TEMPLATE_EXAMPLE)
    notes.row([])
    notes.row(
        [_("性别: 男 or 女. 外地生: 是 or 否 (or a 生源地 column instead). 入学年份 optional.")]
    )
    return book.close()


def template_csv():
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_HEADER)
    # The example row is recognised on import and skipped (see _is_example).
    writer.writerow(TEMPLATE_EXAMPLE)
    # A BOM so that Excel on Windows opens the Chinese text correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
