"""The barometer register (台账) as .xlsx, made by the core's export service.

One row per barometer of the semester that the person who asked may see. The tier-3
columns (students of concern) only when a counselor asked for them (the request is in the
audit trail, see the view). Written in openpyxl's write-only mode: rows stream to the file,
so a school year's 7,000 barometers take about a second. No cell is ever a formula
(counseling.xlsx).
"""

import time

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from committees.models import Barometer, ConcernKind
from counseling.exports import Exporter, register_exporter
from counseling.models import Semester, Student
from counseling.permissions import access_of
from counseling.xlsx import stream_row

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


def header(sensitive):
    columns = [
        _("Department"),
        _("Class"),
        _("Week"),
        _("Weather"),
        _("Nothing to report"),
        *[str(label) for label in ConcernKind.labels],
        _("Note"),
        _("Suggestions for the department's courses"),
        _("Filed by"),
        _("Submitted at"),
        pgettext("barometer", "Late"),
    ]
    if sensitive:
        columns += [
            _("Students of concern"),
            _("Kind of concern"),
            _("Severity"),
            _("Note on the student"),
        ]
    return columns


def build_register(user, semester, sensitive):
    """The register's .xlsx bytes as `user` may see it."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

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
    barometers = list(barometers)
    names = {}
    if sensitive:
        pks = {s.student_pk for b in barometers for s in b.students.all()}
        names = dict(Student.objects.filter(pk__in=pks).values_list("pk", "name"))

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Barometers")[:31])
    widths = [12, 20, 6, 8, 8] + [8] * len(ConcernKind.values) + [30, 30, 10, 17, 6]
    widths += [12, 12, 10, 30] if sensitive else []
    # Write-only sheets take their layout before the first row.
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(column)].width = width
    sheet.freeze_panes = "C2"
    columns = header(sensitive)
    last = openpyxl.utils.get_column_letter(len(columns))
    sheet.auto_filter.ref = f"A1:{last}{len(barometers) + 1}"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    stream_row(sheet, columns, font=bold)
    submitted_column = 5 + len(ConcernKind.values) + 4
    yes, no = _("Yes"), _("No")
    for b in barometers:
        counts = {c.kind: c.count for c in b.concerns.all()}
        values = [
            b.school_class.department.name,
            b.school_class.name,
            b.week,
            b.get_weather_display(),
            yes if b.nothing_to_report else no,
            *[counts.get(kind, 0) for kind in ConcernKind.values],
            b.note,
            "\n".join(s.text for s in b.suggestions.all()),
            str(b.filed_by),
            b.submitted_at,
            yes if b.late else no,
        ]
        if sensitive:
            students = list(b.students.all())
            values += [
                "\n".join(names.get(s.student_pk, "?") for s in students),
                "\n".join(s.get_kind_display() for s in students),
                "\n".join(s.get_severity_display() for s in students),
                "\n".join(s.note.replace("\n", " ") for s in students),
            ]
        stream_row(
            sheet,
            values,
            wrap=wrap,
            number_formats={submitted_column - 1: "yyyy-mm-dd hh:mm"},
        )
    return book


def build(job):
    from counseling.xlsx import workbook_bytes

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
