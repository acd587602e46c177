"""Case files (included into the `consultations:` namespace)."""

from consultations.cases import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("cases/", views.case_list, "case-list"),
    signed_in("cases/new/", views.case_new, "case-new"),
    signed_in("cases/from-alert/<int:alert_pk>/", views.case_from_alert, "case-from-alert"),
    signed_in("cases/<int:pk>/", views.case_detail, "case-detail"),
    signed_in("cases/<int:pk>/break-glass/", views.case_break_glass, "case-break-glass"),
    signed_in("cases/<int:pk>/<slug:action>/", views.case_action, "case-action"),
]
