"""The calendar and the semester report in the main menu (counseling.nav)."""

from django.utils.translation import gettext_lazy as _

from counseling import nav

nav.register(
    nav.Link(
        "reports.calendar",
        _("Calendar"),
        "reports:calendar",
        order=60,
        shows=nav.perm("reports.see_calendar"),
        icon="bi-calendar3",
        active=nav.in_app("reports", prefix="calendar"),
    )
)
nav.register(
    nav.Link(
        "reports.report",
        _("Semester report"),
        "reports:report",
        order=70,
        shows=nav.perm("reports.see_report"),
        icon="bi-journal-text",
        html_id="nav-report",
        active=nav.in_app("reports", prefix="report"),
    )
)
