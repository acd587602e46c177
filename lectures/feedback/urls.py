"""Feedback: the public form (from a QR code, no sign-in) and what counselors read
(included into the `lectures:` namespace)."""

from django.urls import path

from lectures.feedback import views

urlpatterns = [
    path("f/<str:token>/", views.feedback_form, name="feedback-form"),
    path("f/<str:token>/thanks/", views.feedback_thanks, name="feedback-thanks"),
    path("feedback/<str:kind>/<int:pk>/", views.feedback_results, name="feedback-results"),
    path("feedback/<str:kind>/<int:pk>/qr/", views.feedback_qr, name="feedback-qr"),
]
