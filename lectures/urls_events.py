"""Lectures, group activities and feedback (included into the `lectures:` namespace)."""

from django.urls import path

from lectures.views import activities, feedback, lectures

urlpatterns = [
    path("", lectures.lecture_list, name="lecture-list"),
    path("new/", lectures.lecture_edit, name="lecture-new"),
    path("<int:pk>/", lectures.lecture_detail, name="lecture-detail"),
    path("<int:pk>/edit/", lectures.lecture_edit, name="lecture-edit"),
    path("<int:pk>/status/", lectures.lecture_status, name="lecture-status"),
    path("<int:pk>/sessions/new/", lectures.series_new, name="series-new"),
    path("sessions/<int:pk>/", lectures.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", lectures.session_edit, name="session-edit"),
    path("sessions/<int:pk>/status/", lectures.session_status, name="session-status"),
    path("sessions/<int:pk>/record/", lectures.session_record, name="session-record"),
    path("sessions/<int:pk>/upload/", lectures.session_upload, name="session-upload"),
    path("files/<int:pk>/", lectures.session_file, name="session-file"),
    path("venues/", lectures.venue_list, name="venue-list"),
    path("venues/new/", lectures.venue_edit, name="venue-new"),
    path("venues/<int:pk>/edit/", lectures.venue_edit, name="venue-edit"),
    path("coverage/", lectures.coverage, name="coverage"),
    # Group activities: the library of designs and the sessions run with them.
    path("activities/", activities.design_list, name="activity-design-list"),
    path("activities/new/", activities.design_edit, name="activity-design-new"),
    path("activities/<int:pk>/", activities.design_detail, name="activity-design-detail"),
    path("activities/<int:pk>/edit/", activities.design_edit, name="activity-design-edit"),
    path(
        "activities/<int:design_pk>/sessions/new/",
        activities.session_edit,
        name="activity-session-new",
    ),
    path(
        "activities/sessions/<int:pk>/",
        activities.session_detail,
        name="activity-session-detail",
    ),
    path(
        "activities/sessions/<int:pk>/edit/",
        activities.session_edit,
        name="activity-session-edit",
    ),
    path(
        "activities/sessions/<int:pk>/record/",
        activities.session_record,
        name="activity-session-record",
    ),
    # Feedback: the public form (from a QR code, no sign-in) and what counselors read.
    path("f/<str:token>/", feedback.feedback_form, name="feedback-form"),
    path("f/<str:token>/thanks/", feedback.feedback_thanks, name="feedback-thanks"),
    path(
        "feedback/<str:kind>/<int:pk>/",
        feedback.feedback_results,
        name="feedback-results",
    ),
    path("feedback/<str:kind>/<int:pk>/qr/", feedback.feedback_qr, name="feedback-qr"),
]
