"""The crisis checklist's settings, under cases/ (included into `consultations:`)."""

from consultations.crisis import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("cases/settings/", views.crisis_settings, "crisis-settings"),
]
