"""The reports' URLs, one list per feature, all in the `reports:` namespace; no two of them
share a prefix, so their order does not matter."""

from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("reports.calendar.urls")),
    path("", include("reports.figures.urls")),
    path("", include("reports.semester_report.urls")),
]
