from django.urls import path

from reports import views
from reports.figures import views as figures

app_name = "reports"

urlpatterns = [
    path("calendar/", views.month, name="calendar"),
    path("calendar/week/", views.week, name="calendar-week"),
    path("calendar/link/", views.link, name="calendar-link"),
    path("calendar/link/reset/", views.link_reset, name="calendar-link-reset"),
    path("calendar/feed/<str:token>.ics", views.feed, name="calendar-feed"),
    path("figures/", figures.overview, name="figures"),
    path("figures/<str:key>/", figures.figure_list, name="figure-list"),
]
