"""The weekly barometer: filing and what follows from it."""

from django.urls import path

from committees.barometer.views import alerts, filing, register, setup, suggestions

urlpatterns = [
    path("barometer/", filing.file, name="barometer-file"),
    path("barometer/<int:pk>/", filing.detail, name="barometer-detail"),
    path("barometer/<int:pk>/reopen/", filing.reopen, name="barometer-reopen"),
    path("barometer/immediate/", filing.immediate, name="immediate-report"),
    path("barometer/settings/", setup.settings_edit, name="barometer-settings"),
    path("alerts/", alerts.alert_list, name="alert-list"),
    path("alerts/<int:pk>/", alerts.alert_detail, name="alert-detail"),
    path("talk-tasks/", alerts.talk_tasks, name="talk-tasks"),
    path("suggestions/", suggestions.suggestion_list, name="suggestion-list"),
    path("suggestions/<int:pk>/answer/", suggestions.suggestion_answer, name="suggestion-answer"),
    path("absences/", setup.absence_list, name="absence-list"),
    path("barometer/export.xlsx", register.export, name="barometer-export"),
]
