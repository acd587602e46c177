"""The semester report: versions, sections, preview, submission, exports (in `reports:`)."""

from django.urls import path

from reports.semester_report import views

urlpatterns = [
    path("report/", views.report_home, name="report"),
    path("report/start/", views.report_start, name="report-start"),
    path("report/versions/<int:pk>/", views.version_detail, name="report-version"),
    path(
        "report/versions/<int:pk>/sections/<int:index>/",
        views.section_edit,
        name="report-section",
    ),
    path("report/versions/<int:pk>/preview/", views.preview, name="report-preview"),
    path("report/versions/<int:pk>/submit/", views.submit, name="report-submit"),
    path("report/versions/<int:pk>/revise/", views.revise, name="report-revise"),
    path("report/versions/<int:pk>/export/<str:fmt>/", views.export, name="report-export"),
]
