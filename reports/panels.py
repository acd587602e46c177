"""What the read side puts on home pages (see counseling.panels): the school
administrator's week and semester at a glance, a liaison's department and a class
teacher's class in figures. Counts only; small sensitive counts below the school level
show as "<3" (none of these readers is a counselor). A fixed number of queries.
"""

from committees import figures as committee_figures
from committees.models import Alert
from counseling.models import SchoolClass
from lectures import figures as lecture_figures
from reports.figures.base import SUPPRESSED, is_small, make_figure
from reports.figures.charts import titled_charts
from reports.figures.gathering import figure_url
from reports.figures.links import link_for
from reports.figures.snapshots import shown_figures

# The dozen figures of the semester so far on the administrator's home page.
PRINCIPAL_KEYS = [
    "lectures.sessions",
    "lectures.attendance",
    "activities.sessions",
    "activities.participants",
    "publicity.bulletin_issues",
    "publicity.theme_events",
    "committee.members",
    "committee.attendance_rate",
    "barometer.completeness",
    "barometer.timeliness",
    "barometer.alerts_raised",
    "coverage.classes_uncovered",
]

# A department's or a class's figures, on its liaison's or teacher's home page.
SCOPED_KEYS = [
    "barometer.completeness",
    "barometer.timeliness",
    "barometer.concerns",
    "barometer.alerts_open",
    "lectures.sessions",
    "lectures.attendance",
    "activities.sessions",
    "committee.attendance_rate",
    "suggestions.sent",
    "suggestions.answered",
]


def _shown(figures, user):
    return [(f, f.display(counselor=False), link_for(f, user)) for f in figures]


def _alert_rows(by_level):
    """[(year, [(grade, shown count)])] from {grade: {year: n}}; small counts as "<3"."""
    years = sorted({y for counts in by_level.values() for y in counts}, reverse=True)
    rows = []
    for year in years:
        cells = []
        for grade, _label in Alert.Grade.choices:
            n = by_level.get(grade, {}).get(year, 0)
            cells.append((grade, SUPPRESSED if is_small(n) else n))
        rows.append((year, cells))
    return rows


def _week_events(semester, week):
    if week is None:
        return [], []
    return lecture_figures.events_in_week(semester, week)


def principal_panel(request, home):
    access, semester, week = home["access"], home["semester"], home["week"]
    if semester is None or semester.school_id not in access.school_admin_school_ids:
        return None
    figures, counted_at = shown_figures(semester)
    lectures, activities = _week_events(semester, week)
    by_level = committee_figures.open_alerts_by_level(semester)
    return {
        "template": "reports/panels/principal.html",
        "semester": semester,
        "week": week,
        "week_filing": committee_figures.week_filing(semester, week),
        "alert_levels": Alert.Grade.choices,
        "alert_rows": _alert_rows(by_level),
        "alerts_open": sum(sum(c.values()) for c in by_level.values()),
        "week_lectures": lectures,
        "week_activities": activities,
        "items": _shown([figures[k] for k in PRINCIPAL_KEYS], request.user),
        "charts": titled_charts(figures),
        "counted_at": counted_at,
    }


def scoped_figures(semester, classes, scope, week=None, *, selection=None):
    """(the SCOPED_KEYS figures of some classes, at the department or class level; their
    filing in `week` so far, or None; their open alerts by level and year). `selection`: a SchoolClass queryset of the same
    classes, for the queries to select them by (else their ids)."""
    values = committee_figures.class_figures(semester, classes, week=week, scope=selection)
    selected = selection if selection is not None else [c.pk for c in classes]
    held = lecture_figures.held_events_of_classes(semester, selected)
    values |= {
        "lectures.sessions": held["lecture_sessions"],
        "lectures.attendance": held["lecture_attendance"],
        "activities.sessions": held["activity_sessions"],
        "activities.participants": held["activity_participants"],
    }
    figures = [
        make_figure(key, values[key], scope=scope, url=figure_url(key, semester.pk))
        for key in SCOPED_KEYS
    ]
    return figures, values["week_filing"], values["barometer.open_alerts_by_level"]


def _scoped_panel(request, home, classes, scope, title, selection=None):
    semester, week = home["semester"], home["week"]
    classes = list(classes)
    if not classes:
        return None
    figures, filing, by_level = scoped_figures(semester, classes, scope, week, selection=selection)
    return {
        "template": "reports/panels/scoped.html",
        "title": title,
        "scope": scope,
        "semester": semester,
        "week": week,
        "week_filing": filing,
        "alert_levels": Alert.Grade.choices,
        "alert_rows": _alert_rows(by_level),
        "items": _shown(figures, request.user),
    }


def liaison_panel(request, home):
    access, semester = home["access"], home["semester"]
    if semester is None or not access.liaison_department_ids:
        return None
    selection = SchoolClass.objects.active().filter(
        department__in=access.liaison_department_ids,
        department__school_id=semester.school_id,
    )
    # Rows, not instances: a 600-class school's department has a hundred classes, and
    # the figures need only their ids and departments.
    classes = list(
        selection.values_list("pk", "department_id", "department__name", named=True).order_by()
    )
    names = sorted({c.department__name for c in classes})
    return _scoped_panel(
        request, home, classes, "department", "、".join(names), selection.values("pk")
    )


def teacher_panel(request, home):
    access, semester = home["access"], home["semester"]
    if semester is None or not access.teacher_class_ids:
        return None
    # The active classes the person teaches, read already (with their departments) for
    # their permissions.
    classes = [c for c in access.taught_classes if c.department.school_id == semester.school_id]
    return _scoped_panel(request, home, classes, "class", "、".join(c.name for c in classes))
