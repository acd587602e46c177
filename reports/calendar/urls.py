"""The counseling calendar and its iCalendar feed (included into the `reports:` namespace)."""

from django.urls import path

from reports.calendar import views

urlpatterns = [
    path("calendar/", views.month, name="calendar"),
    path("calendar/week/", views.week, name="calendar-week"),
    path("calendar/link/", views.link, name="calendar-link"),
    path("calendar/link/reset/", views.link_reset, name="calendar-link-reset"),
    path("calendar/feed/<str:token>.ics", views.feed, name="calendar-feed"),
]
