"""The barometer register (台账) as .xlsx, made by the core's export service.

One row per barometer of the semester that the person who asked may see. The tier-3
columns (students of concern) only when a counselor asked for them (the request is in the
audit trail, see the view). Written in openpyxl's write-only mode: rows stream to the file,
so a school year's 7,000 barometers take about a second. No cell is ever a formula
(counseling.xlsx).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import openpyxl
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from committees.barometer.models import Barometer, ConcernKind
from counseling.exports import Exporter, register_exporter
from counseling.models import Semester, Student
from counseling.permissions import access_of
from counseling.xlsx import stream_row, workbook_bytes

KEY = "committees.register"
# The register changes as barometers come in: the same request within five minutes is the
# same file, a later one is made afresh.
FRESH_SECONDS = 5 * 60


def _semester(params):
    return Semester.objects.select_related("school").get(pk=params["semester"])


def allows(user, params):
    if not user.has_perm("committees.export_barometers"):
        return False
    semester = Semester.objects.visible_to(user).filter(pk=params.get("semester")).first()
    if semester is None:
        return False
    return not params.get("sensitive") or access_of(user).counsels(semester.school_id)


def identity(user, params):
    return {"user": user.pk, "params": params, "window": int(time.time()) // FRESH_SECONDS}


def filename(params):
    semester = _semester(params)
    return f"{_('barometers')}-{semester.name}-{timezone.localdate().isoformat()}"


@dataclass(frozen=True)
class Column:
    """One column of the register: its heading, its width, and its value for a barometer."""

    header: str
    width: int
    value: Callable
    number_format: str | None = None


def _lines(items):
    return "\n".join(items)


def columns(sensitive, names=None):
    """The register's columns, in order; the tier-3 ones only when `sensitive`.

    names: {student pk: name} of the students of concern (sensitive only)."""
    yes, no = _("Yes"), _("No")
    result = [
        Column(_("Department"), 12, lambda b: b.school_class.department.name),
        Column(_("Class"), 20, lambda b: b.school_class.name),
        Column(_("Week"), 6, lambda b: b.week),
        Column(_("Weather"), 8, lambda b: b.get_weather_display()),
        Column(_("Nothing to report"), 8, lambda b: yes if b.nothing_to_report else no),
        *[
            Column(str(label), 8, partial(_concern_count, kind=kind))
            for kind, label in ConcernKind.choices
        ],
        Column(_("Note"), 30, lambda b: b.note),
        Column(
            _("Suggestions for the department's courses"),
            30,
            lambda b: _lines(s.text for s in b.suggestions.all()),
        ),
        Column(_("Filed by"), 10, lambda b: str(b.filed_by)),
        Column(_("Submitted at"), 17, lambda b: b.submitted_at, "yyyy-mm-dd hh:mm"),
        Column(pgettext("barometer", "Late"), 6, lambda b: yes if b.late else no),
    ]
    if sensitive:
        names = names or {}
        result += [
            Column(
                _("Students of concern"),
                12,
                lambda b: _lines(names.get(s.student_pk, "?") for s in b.students.all()),
            ),
            Column(
                _("Kind of concern"),
                12,
                lambda b: _lines(s.get_kind_display() for s in b.students.all()),
            ),
            Column(
                _("Severity"),
                10,
                lambda b: _lines(s.get_severity_display() for s in b.students.all()),
            ),
            Column(
                _("Note on the student"),
                30,
                lambda b: _lines(s.note.replace("\n", " ") for s in b.students.all()),
            ),
        ]
    return result


def _concern_count(barometer, kind):
    return sum(c.count for c in barometer.concerns.all() if c.kind == kind)


def header(sensitive):
    return [column.header for column in columns(sensitive)]


def _register_rows(user, semester, sensitive):
    """The barometers of the register, in its order, with what its columns read."""
    barometers = (
        Barometer.objects.visible_to(user)
        .filter(semester=semester)
        .select_related("school_class__department", "filed_by")
        .prefetch_related("concerns", "suggestions")
        .order_by(
            "school_class__department__name",
            "-school_class__enrolment_year",
            "school_class__name",
            "week",
        )
    )
    if sensitive:
        barometers = barometers.prefetch_related("students")
    return list(barometers)


def _names(barometers):
    pks = {s.student_pk for b in barometers for s in b.students.all()}
    return dict(Student.objects.filter(pk__in=pks).values_list("pk", "name"))


def build_register(user, semester, sensitive):
    """The register's workbook as `user` may see it."""
    barometers = _register_rows(user, semester, sensitive)
    cols = columns(sensitive, _names(barometers) if sensitive else None)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Barometers")[:31])
    # Write-only sheets take their layout before the first row.
    for number, column in enumerate(cols, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{len(barometers) + 1}"
    stream_row(sheet, [c.header for c in cols], font=Font(bold=True))
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = {n: c.number_format for n, c in enumerate(cols) if c.number_format}
    for b in barometers:
        stream_row(sheet, [c.value(b) for c in cols], wrap=wrap, number_formats=formats)
    return book


def build(job):
    semester = _semester(job.params)
    book = build_register(job.requested_by, semester, bool(job.params.get("sensitive")))
    return workbook_bytes(book), ".xlsx"


def register():
    register_exporter(
        Exporter(
            key=KEY,
            label=gettext_lazy("Barometer register (.xlsx)"),
            build=build,
            allows=allows,
            school_of=lambda params: _semester(params).school,
            filename=filename,
            identity=identity,
        )
    )
