from django.urls import path

from counseling.auth import views

urlpatterns = [
    path("", views.verify, name="two-factor-verify"),
    path("enrol/", views.enrol, name="two-factor-enrol"),
    path("recovery-codes/", views.recovery_codes, name="two-factor-recovery-codes"),
]
