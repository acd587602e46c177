"""Coverage (included into the `lectures:` namespace)."""

from django.urls import path

from lectures.coverage import views

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
]
