"""The committee network's part of the semester's figures, for the read side (reports):
each feature computes its own; this module puts them in the shape the report reads.

Counts and rates only, never a student's name; exact values (the reader suppresses small
sensitive counts). A fixed number of queries whatever the size of the school.
"""

from committees.barometer import figures as barometer
from committees.network import figures as network

week_filing = barometer.week_filing
open_alerts_by_level = barometer.open_alerts_by_level


def semester_figures(semester, now=None):
    """{section: (values, tables, charts)} for the committee network's sections."""
    committee_values, committee_tables, attendance_chart = network.committee_figures(semester)
    barometer_values, barometer_tables, barometer_charts = barometer.barometer_figures(
        semester, now
    )
    return {
        "committee": (
            committee_values,
            committee_tables,
            {"attendance_by_department": attendance_chart},
        ),
        "barometer": (barometer_values, barometer_tables, barometer_charts),
        "suggestions": (barometer.suggestion_figures(semester), {}, {}),
    }


def class_figures(semester, classes, now=None, *, week=None, scope=None):
    """Some classes' figures (a department's, a teacher's): filing, concerns, alerts,
    committee attendance and course suggestions. `classes`: classes, or rows with pk and
    department_id; `scope`, a SchoolClass queryset of the same classes for the queries to
    select them by. With `week`, that week's filing too, under "week_filing" (see
    barometer.class_figures)."""
    classes = list(classes)
    values = barometer.class_figures(semester, classes, now, week=week, scope=scope)
    selected = scope if scope is not None else [c.pk for c in classes]
    values["committee.attendance_rate"] = network.attendance_rate(semester, selected)
    return values
