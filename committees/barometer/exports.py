"""The barometer register (台账) as .xlsx, made by the core's export service.

One row per barometer of the semester that the person who asked may see. The tier-3
columns (students of concern) only when a counselor asked for them (the request is in the
audit trail, see the view). No cell is ever a formula (counseling.xlsx).

A semester of a 600-class school is 7,200 barometers. Made as model instances and written
through openpyxl's write-only mode they took four seconds, most of it per-cell work; read
as plain values (`_register_rows`), with choice labels translated once and written by the
portal's own streaming writer (counseling.xlsx.Book), they take under one (RESULTS.md).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import attrgetter

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from committees.barometer.models import (
    Barometer,
    BarometerConcern,
    ConcernKind,
    CourseSuggestion,
    Severity,
    StudentOfConcern,
    Weather,
)
from counseling.exports import Exporter, register_exporter
from counseling.models import Semester, Student, User
from counseling.permissions import access_of
from counseling.xlsx import Book

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
    """One column of the register: its heading, its width, and its value for a row."""

    header: str
    width: int
    value: Callable


@dataclass(slots=True)
class Row:
    """What the register's columns read of one barometer, as plain values."""

    pk: int
    department: str
    school_class: str
    week: int
    weather: int
    nothing_to_report: bool
    note: str
    filed_by: str
    submitted_at: object
    late: bool
    concerns: dict = field(default_factory=dict)  # {kind: count}
    suggestions: list = field(default_factory=list)  # their texts, newest first
    students: list = field(default_factory=list)  # (student pk, kind, severity, note)


def _lines(items):
    return "\n".join(items)


def columns(sensitive, names=None):
    """The register's columns, in order; the tier-3 ones only when `sensitive`.

    names: {student pk: name} of the students of concern (sensitive only). Choice labels
    are translated once here, not once a row."""
    yes, no = _("Yes"), _("No")
    weathers = {value: str(label) for value, label in Weather.choices}
    kinds = {value: str(label) for value, label in ConcernKind.choices}
    severities = {value: str(label) for value, label in Severity.choices}
    result = [
        Column(_("Department"), 12, attrgetter("department")),
        Column(_("Class"), 20, attrgetter("school_class")),
        Column(_("Week"), 6, attrgetter("week")),
        Column(_("Weather"), 8, lambda r: weathers.get(r.weather, r.weather)),
        Column(_("Nothing to report"), 8, lambda r: yes if r.nothing_to_report else no),
        *[
            Column(kinds[kind], 8, partial(_concern_count, kind=kind))
            for kind in ConcernKind.values
        ],
        Column(_("Note"), 30, attrgetter("note")),
        Column(
            _("Suggestions for the department's courses"),
            30,
            lambda r: _lines(r.suggestions),
        ),
        Column(_("Filed by"), 10, attrgetter("filed_by")),
        Column(_("Submitted at"), 17, attrgetter("submitted_at")),  # a date cell
        Column(pgettext("barometer", "Late"), 6, lambda r: yes if r.late else no),
    ]
    if sensitive:
        names = names or {}
        result += [
            Column(
                _("Students of concern"),
                12,
                lambda r: _lines(names.get(pk, "?") for pk, *_rest in r.students),
            ),
            Column(
                _("Kind of concern"),
                12,
                lambda r: _lines(kinds.get(kind, kind) for _pk, kind, *_rest in r.students),
            ),
            Column(
                _("Severity"),
                10,
                lambda r: _lines(severities.get(s[2], s[2]) for s in r.students),
            ),
            Column(
                _("Note on the student"),
                30,
                lambda r: _lines(s[3].replace("\n", " ") for s in r.students),
            ),
        ]
    return result


def _concern_count(row, kind):
    return row.concerns.get(kind, 0)


def header(sensitive):
    return [column.header for column in columns(sensitive)]


def _register_rows(user, semester, sensitive):
    """The barometers of the register, in its order, as Rows.

    Plain values, not model instances: the columns read ten fields of a barometer and
    three lists under it, and 7,200 barometers with their 30,000 concerns, suggestions and
    named students made as models took a second of the export's four."""
    chosen = Barometer.objects.visible_to(user).filter(semester=semester)
    # The lists under the barometers are read by this subquery, not by a list of their
    # 7,200 ids: Django took 0.4 s to build and quote such a list three times. A barometer
    # filed between the queries has no row: what is under it is left out (skipped below).
    chosen_pks = chosen.values("pk")
    barometers = chosen.order_by(
        "school_class__department__name",
        "-school_class__enrolment_year",
        "school_class__name",
        "week",
    ).values_list(
        "pk",
        "school_class__department__name",
        "school_class__name",
        "week",
        "weather",
        "nothing_to_report",
        "note",
        "filed_by_id",
        "submitted_at",
        "late",
    )
    rows, filers = [], {}
    for pk, department, cls, week, weather, nothing, note, filer, submitted, late in barometers:
        rows.append(Row(pk, department, cls, week, weather, nothing, note, filer, submitted, late))
        filers[filer] = None
    # str(user), as the admin and the rest of the portal show a person: once a person.
    for user_row in User.objects.filter(pk__in=filers):
        filers[user_row.pk] = str(user_row)
    by_pk = {}
    for row in rows:
        row.filed_by = filers[row.filed_by]
        by_pk[row.pk] = row
    for barometer, kind, count in BarometerConcern.objects.filter(
        barometer__in=chosen_pks
    ).values_list("barometer_id", "kind", "count"):
        if barometer in by_pk:
            concerns = by_pk[barometer].concerns
            concerns[kind] = concerns.get(kind, 0) + count
    for barometer, text in (
        CourseSuggestion.objects.filter(barometer__in=chosen_pks)
        .order_by("barometer_id", "-created_at", "pk")
        .values_list("barometer_id", "text")
    ):
        if barometer in by_pk:
            by_pk[barometer].suggestions.append(text)
    if sensitive:
        for barometer, *student in (
            StudentOfConcern.objects.filter(barometer__in=chosen_pks)
            .order_by("pk")
            .values_list("barometer_id", "student_id_enc", "kind", "severity", "note")
        ):
            if barometer in by_pk:
                student[0] = int(student[0])
                by_pk[barometer].students.append(tuple(student))
    return rows


def _names(rows):
    pks = {pk for row in rows for pk, *_rest in row.students}
    return dict(Student.objects.filter(pk__in=pks).values_list("pk", "name"))


def build_register(user, semester, sensitive):
    """The register's .xlsx file (bytes) as `user` may see it."""
    rows = _register_rows(user, semester, sensitive)
    cols = columns(sensitive, _names(rows) if sensitive else None)
    book = Book()
    sheet = book.sheet(
        _("Barometers"), widths=[c.width for c in cols], freeze="C2", auto_filter=True
    )
    sheet.row([c.header for c in cols], bold=True)
    values = [c.value for c in cols]
    for row in rows:
        sheet.row([value(row) for value in values], wrap=True)
    return book.close()


def build(job):
    semester = _semester(job.params)
    return build_register(job.requested_by, semester, bool(job.params.get("sensitive"))), ".xlsx"


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
