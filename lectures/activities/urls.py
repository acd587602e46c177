"""Group activities: the library of designs and the sessions run with them (included into
the `lectures:` namespace)."""

from django.urls import path

from lectures.activities import views

urlpatterns = [
    path("activities/", views.design_list, name="activity-design-list"),
    path("activities/new/", views.design_edit, name="activity-design-new"),
    path("activities/<int:pk>/", views.design_detail, name="activity-design-detail"),
    path("activities/<int:pk>/edit/", views.design_edit, name="activity-design-edit"),
    path(
        "activities/<int:design_pk>/sessions/new/",
        views.session_edit,
        name="activity-session-new",
    ),
    path("activities/sessions/<int:pk>/", views.session_detail, name="activity-session-detail"),
    path("activities/sessions/<int:pk>/edit/", views.session_edit, name="activity-session-edit"),
    path(
        "activities/sessions/<int:pk>/record/",
        views.session_record,
        name="activity-session-record",
    ),
]
