from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("calendar/", views.month, name="calendar"),
    path("calendar/week/", views.week, name="calendar-week"),
    path("calendar/link/", views.link, name="calendar-link"),
    path("calendar/link/reset/", views.link_reset, name="calendar-link-reset"),
    path("calendar/feed/<str:token>.ics", views.feed, name="calendar-feed"),
]
