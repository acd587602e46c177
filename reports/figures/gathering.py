"""gather(school, semester): every app's part of the semester's figures, put together.

Each app computes its own figures (`lectures.figures`, `committees.figures`, and
`consultations.figures` once it exists); this module only names them, attaches the link to
the records each one counts, and builds the FigureSet.
"""

import importlib
import importlib.util

from django.urls import NoReverseMatch, reverse

from committees import figures as committee_figures
from lectures import figures as lecture_figures
from reports.figures.base import KEYS, TABLE_NAMES, Figure, FigureSet, make_figure

CONSULTATIONS_MODULE = "consultations.figures"

# Where each figure's records are listed: an existing page of the app that owns them
# (with ?semester=), or this module's own list (reports:figure-list) where none exists.
LIST_PAGES = {
    "lectures.lectures": "lectures:lecture-list",
    "lectures.lectures_held": "lectures:lecture-list",
    "lectures.classes_reached": "lectures:coverage",
    "lectures.students_reached": "lectures:coverage",
    "publicity.bulletin_issues": "lectures:bulletin-list",
    "publicity.questions": "lectures:question-list",
    "publicity.questions_answered": "lectures:question-list",
    "publicity.open_letters": "lectures:letter-list",
    "publicity.letter_classes": "lectures:letter-list",
    "publicity.theme_months": "lectures:theme-month-list",
    "publicity.theme_events": "lectures:theme-month-list",
    "committee.members": "committees:member-list",
    "committee.classes_covered": "committees:member-list",
    "committee.meetings_planned": "committees:schedule",
    "committee.meetings_held": "committees:schedule",
    "committee.trainings_planned": "committees:schedule",
    "committee.trainings_held": "committees:schedule",
    "committee.attendance_rate": "committees:rates",
    "committee.modules_completed": "committees:rates",
    "barometer.filed": "committees:school-trend",
    "barometer.expected": "committees:school-trend",
    "barometer.completeness": "committees:school-trend",
    "barometer.timeliness": "committees:school-trend",
    "barometer.average_weather": "committees:school-trend",
    "barometer.concerns": "committees:school-trend",
    "barometer.alerts_raised": "committees:alert-list",
    "barometer.alerts_escalated": "committees:alert-list",
    "barometer.alerts_closed": "committees:alert-list",
    "barometer.alerts_open": "committees:alert-list",
    "barometer.immediate_reports": "committees:alert-list",
    "suggestions.sent": "committees:suggestion-list",
    "suggestions.answered": "committees:suggestion-list",
    "suggestions.median_days": "committees:suggestion-list",
    "coverage.classes": "lectures:coverage",
    "coverage.classes_reached": "lectures:coverage",
    "coverage.classes_uncovered": "lectures:coverage",
}


def figure_url(key, semester_id):
    """The list of records a figure counts, for that semester."""
    name = LIST_PAGES.get(key)
    try:
        if name:
            return f"{reverse(name)}?semester={semester_id}"
        return f"{reverse('reports:figure-list', args=[key])}?semester={semester_id}"
    except NoReverseMatch:
        return None


def consultation_figures(school, semester):
    """The consultation room's section, when its module exists (it lands separately)."""
    if importlib.util.find_spec(CONSULTATIONS_MODULE) is None:
        return []
    module = importlib.import_module(CONSULTATIONS_MODULE)
    result = []
    allowed = Figure.__dataclass_fields__
    for item in module.semester_figures(school, semester) or []:
        data = dict(item) if not isinstance(item, Figure) else dict(item.__dict__)
        data.setdefault("section", "consultations")
        data["label"] = str(data.get("label", data["key"]))
        data["unit"] = str(data.get("unit", ""))
        result.append(Figure(**{k: v for k, v in data.items() if k in allowed}))
    return result


def gather(school, semester, *, now=None):
    """The FigureSet of one school's semester (the semester must be the school's)."""
    if semester.school_id != school.pk:
        raise ValueError("the semester belongs to another school")
    values, tables, charts = {}, {name: [] for name in TABLE_NAMES}, {}
    for section, (part, rows) in lecture_figures.semester_figures(semester).items():
        values.update({f"{section}.{name}": value for name, value in part.items()})
        tables["uncovered_classes" if section == "coverage" else section] = rows
    for section, (part, part_tables, part_charts) in committee_figures.semester_figures(
        semester, now
    ).items():
        values.update({f"{section}.{name}": value for name, value in part.items()})
        tables.update(part_tables)
        charts.update(part_charts)
    figures = {
        key: make_figure(key, values.get(key), url=figure_url(key, semester.pk)) for key in KEYS
    }
    for figure in consultation_figures(school, semester):
        figures[figure.key] = figure
    return FigureSet(
        school_id=school.pk,
        semester_id=semester.pk,
        figures=figures,
        tables=tables,
        charts=charts,
    )
