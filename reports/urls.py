from django.urls import path

from reports.calendar import views as calendar
from reports.figures import views as figures
from reports.semester_report import views as report

app_name = "reports"

urlpatterns = [
    path("calendar/", calendar.month, name="calendar"),
    path("calendar/week/", calendar.week, name="calendar-week"),
    path("calendar/link/", calendar.link, name="calendar-link"),
    path("calendar/link/reset/", calendar.link_reset, name="calendar-link-reset"),
    path("calendar/feed/<str:token>.ics", calendar.feed, name="calendar-feed"),
    path("figures/", figures.overview, name="figures"),
    path("figures/<str:key>/", figures.figure_list, name="figure-list"),
    path("report/", report.report_home, name="report"),
    path("report/start/", report.report_start, name="report-start"),
    path("report/versions/<int:pk>/", report.version_detail, name="report-version"),
    path(
        "report/versions/<int:pk>/sections/<int:index>/",
        report.section_edit,
        name="report-section",
    ),
    path("report/versions/<int:pk>/preview/", report.preview, name="report-preview"),
    path("report/versions/<int:pk>/submit/", report.submit, name="report-submit"),
    path("report/versions/<int:pk>/revise/", report.revise, name="report-revise"),
    path("report/versions/<int:pk>/export/<str:fmt>/", report.export, name="report-export"),
]
