"""The barometer's figures: coverage, weather, concerns, alerts and course suggestions.

Counts and rates only, never a student's name; exact values (the reader suppresses small
sensitive counts). A fixed number of queries whatever the size of the school.
"""

import statistics

from django.db.models import Avg, Count, Q, Sum

from committees.barometer import services
from committees.barometer.models import (
    Alert,
    Barometer,
    BarometerConcern,
    ClassAbsence,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    Weather,
)
from committees.network.figures import percent
from counseling.models import Department


def barometer_figures(semester, now=None):
    weeks = services.due_weeks(semester, now)
    coverage = services.coverage(semester, weeks=weeks)
    total = coverage.total()
    barometers = Barometer.objects.for_semester(semester)
    weather = barometers.weather_distribution()
    average_by_week = dict(
        barometers.values_list("week").annotate(a=Avg("weather")).order_by("week")
    )
    average = barometers.aggregate(a=Avg("weather"))["a"]
    concerns = barometers.concerns_by_kind()
    concerns_by_department = dict(
        BarometerConcern.objects.filter(barometer__in=barometers)
        .values_list("barometer__school_class__department_id")
        .annotate(n=Sum("count"))
        .order_by()
    )
    alerts = Alert.objects.filter(semester=semester)
    alert_totals = alerts.aggregate(
        raised=Count("pk"),
        escalated=Count("pk", filter=Q(grade=Alert.Grade.RED)),
        closed=Count("pk", filter=Q(status=Alert.Status.CLOSED)),
        open=Count("pk", filter=~Q(status=Alert.Status.CLOSED)),
    )
    alerts_by_department = dict(
        alerts.values_list("school_class__department_id").annotate(n=Count("pk")).order_by()
    )
    immediate = ImmediateReport.objects.filter(semester=semester).count()
    names = dict(Department.objects.filter(school=semester.school).values_list("pk", "name"))
    classes_per_department = coverage.classes_by_department()
    department_rows = [
        {
            "department": names.get(department_id, ""),
            "classes": classes_per_department.get(department_id, 0),
            "expected": row["expected"],
            "filed": row["filed"],
            "on_time": row["on_time"],
            "completeness": percent(row["completeness"]),
            "timeliness": percent(row["timeliness"]),
            "concerns": concerns_by_department.get(department_id, 0),
            "alerts": alerts_by_department.get(department_id, 0),
        }
        for department_id, row in coverage.by_department().items()
    ]
    department_rows.sort(key=lambda row: row["department"])
    by_week = coverage.by_week()
    week_rows = [
        {
            "week": week,
            "expected": row["expected"],
            "filed": row["filed"],
            "on_time": row["on_time"],
            "completeness": percent(row["completeness"]),
            "timeliness": percent(row["timeliness"]),
            "average_weather": _round(average_by_week.get(week)),
        }
        for week, row in by_week.items()
    ]
    chart_weeks = sorted(set(weeks) | set(weather))
    charts = {
        "weather_by_week": {
            "weeks": chart_weeks,
            "weather": list(Weather.values),
            "counts": [[weather.get(w, {}).get(v, 0) for v in Weather.values] for w in chart_weeks],
        },
        "filing_by_week": {
            "weeks": [row["week"] for row in week_rows],
            "completeness": [row["completeness"] for row in week_rows],
            "timeliness": [row["timeliness"] for row in week_rows],
        },
    }
    concern_rows = [
        {"kind": kind, "label": str(label), "count": concerns.get(kind, 0)}
        for kind, label in ConcernKind.choices
    ]
    values = {
        "filed": barometers.count(),
        "expected": total["expected"],
        "completeness": percent(total["completeness"]),
        "timeliness": percent(total["timeliness"]),
        "average_weather": _round(average),
        "concerns": sum(concerns.values()),
        "alerts_raised": alert_totals["raised"],
        "alerts_escalated": alert_totals["escalated"],
        "alerts_closed": alert_totals["closed"],
        "alerts_open": alert_totals["open"],
        "immediate_reports": immediate,
    }
    tables = {
        "barometer_by_department": department_rows,
        "barometer_by_week": week_rows,
        "concerns_by_kind": concern_rows,
    }
    return values, tables, charts


def _round(value, digits=2):
    return round(value, digits) if value is not None else None


def suggestion_figures(semester):
    rows = CourseSuggestion.objects.filter(barometer__semester=semester).values_list(
        "status", "created_at", "answered_at"
    )
    sent, days = 0, []
    for status, created, answered in rows:
        sent += 1
        if status == CourseSuggestion.Status.ANSWERED and answered:
            days.append((answered - created).total_seconds() / 86400)
    return {
        "sent": sent,
        "answered": len(days),
        "median_days": round(statistics.median(days), 1) if days else None,
    }


def class_figures(semester, classes, now=None, *, week=None, scope=None):
    """Some classes' barometer figures (a department's, a teacher's): filing, concerns,
    alerts and course suggestions. `classes`: a list of classes (or rows with pk and
    department_id); `scope`, a SchoolClass queryset of the same classes for the queries
    to select them by (a department's hundred ids cost Django more to prepare in each of
    the queries than the database to read as a subquery).

    "barometer.open_alerts_by_level" is open_alerts_by_level() of the classes.

    With `week`, also that week's filing so far (week_filing()) under "week_filing": one
    coverage over the due weeks and that week brings both."""
    weeks = services.due_weeks(semester, now)
    selected = scope if scope is not None else [c.pk for c in classes]
    absences = list(ClassAbsence.objects.filter(school_class__in=selected))
    shown = sorted(set(weeks) | {week}) if week else weeks
    cover = services.coverage(
        semester,
        classes,
        weeks=shown,
        absences=absences,
        scope=scope if scope is not None else selected,
    )
    by_week = cover.by_week()
    total = services.total_of([by_week[w] for w in weeks if w in by_week])
    concerns = BarometerConcern.objects.filter(
        semester=semester, school_class__in=selected
    ).aggregate(n=Sum("count"))["n"]
    # The alerts raised, and the open ones by level and year, in one grouped query.
    alerts = {"raised": 0, "open": 0}
    by_level = {grade: {} for grade in Alert.Grade.values}
    for grade, year, closed, n in (
        Alert.objects.filter(semester=semester, school_class__in=selected)
        .values_list("grade", "school_class__enrolment_year")
        .annotate(closed=Q(status=Alert.Status.CLOSED), n=Count("pk"))
        .order_by()
    ):
        alerts["raised"] += n
        if not closed:
            alerts["open"] += n
            by_level[grade][year] = by_level[grade].get(year, 0) + n
    suggestions = CourseSuggestion.objects.filter(
        barometer__semester=semester, barometer__school_class__in=selected
    ).aggregate(
        sent=Count("pk"),
        answered=Count("pk", filter=Q(status=CourseSuggestion.Status.ANSWERED)),
    )
    return {
        "barometer.filed": total["filed"],
        "barometer.expected": total["expected"],
        "barometer.completeness": percent(total["completeness"]),
        "barometer.timeliness": percent(total["timeliness"]),
        "barometer.concerns": concerns or 0,
        "barometer.alerts_raised": alerts["raised"],
        "barometer.alerts_open": alerts["open"],
        "barometer.open_alerts_by_level": {
            grade: dict(sorted(years.items(), reverse=True)) for grade, years in by_level.items()
        },
        "suggestions.sent": suggestions["sent"],
        "suggestions.answered": suggestions["answered"],
        "week_filing": (by_week.get(week, services.total_of([])) if week else None),
    }


def week_filing(semester, week, classes=None):
    """This week's filing so far: expected, filed, on time and the rates."""
    if week is None:
        return None
    return services.coverage(semester, classes=classes, weeks=[week]).total()


def open_alerts_by_level(semester, classes=None):
    """Open alerts: {grade (red/orange/yellow): {enrolment year: count}} — counts only."""
    alerts = Alert.objects.filter(semester=semester).open()
    if classes is not None:
        alerts = alerts.filter(school_class__in=classes)
    result = {grade: {} for grade in Alert.Grade.values}
    for grade, year, n in (
        alerts.values_list("grade", "school_class__enrolment_year")
        .annotate(n=Count("pk"))
        .order_by("grade", "-school_class__enrolment_year")
    ):
        result[grade][year] = n
    return result
