"""Counselors' hours, their exceptions and the week (included into `consultations:`)."""

from consultations.hours import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("week/", views.week, "week"),
    signed_in("hours/", views.hours_list, "hours"),
    signed_in("hours/new/", views.hours_edit, "hours-new"),
    signed_in("hours/<int:pk>/edit/", views.hours_edit, "hours-edit"),
    signed_in("hours/<int:pk>/end/", views.hours_end, "hours-end"),
    signed_in("hours/exceptions/new/", views.exception_new, "exception-new"),
    signed_in("hours/exceptions/<int:pk>/delete/", views.exception_delete, "exception-delete"),
]
