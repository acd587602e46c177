"""The figures pages (included into the `reports:` namespace)."""

from django.urls import path

from reports.figures import views

urlpatterns = [
    path("figures/", views.overview, name="figures"),
    path("figures/<str:key>/", views.figure_list, name="figure-list"),
]
