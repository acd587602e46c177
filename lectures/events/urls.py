"""Lectures, their sessions and venues (included into the `lectures:` namespace)."""

from django.urls import path

from lectures.events import views

urlpatterns = [
    path("", views.lecture_list, name="lecture-list"),
    path("new/", views.lecture_edit, name="lecture-new"),
    path("<int:pk>/", views.lecture_detail, name="lecture-detail"),
    path("<int:pk>/edit/", views.lecture_edit, name="lecture-edit"),
    path("<int:pk>/status/", views.lecture_status, name="lecture-status"),
    path("<int:pk>/sessions/new/", views.series_new, name="series-new"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:pk>/status/", views.session_status, name="session-status"),
    path("sessions/<int:pk>/record/", views.session_record, name="session-record"),
    path("sessions/<int:pk>/upload/", views.session_upload, name="session-upload"),
    path("files/<int:pk>/", views.session_file, name="session-file"),
    path("venues/", views.venue_list, name="venue-list"),
    path("venues/new/", views.venue_edit, name="venue-new"),
    path("venues/<int:pk>/edit/", views.venue_edit, name="venue-edit"),
]
