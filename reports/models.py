"""The read side's tables, one folder per feature; re-exported for the app label."""

from reports.calendar.models import CalendarToken, new_calendar_token
from reports.figures.models import FigureSnapshot
from reports.semester_report.models import Report, ReportVersion

__all__ = [
    "CalendarToken",
    "FigureSnapshot",
    "Report",
    "ReportVersion",
    "new_calendar_token",
]
