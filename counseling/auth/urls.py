from django.urls import path

from counseling.auth import views

urlpatterns = [
    path("", views.verify, name="two-factor-verify"),
    path("enrol/", views.enrol, name="two-factor-enrol"),
]
