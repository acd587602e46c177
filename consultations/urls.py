"""The consultation room's URLs, one list per feature, all in the `consultations:` namespace.

Crisis and cases share the prefix cases/, but a case's paths take a number where the
checklist's settings have a word, so the order of the lists does not matter.
"""

from django.urls import include, path

app_name = "consultations"

urlpatterns = [
    path("", include("consultations.room.urls")),
    path("", include("consultations.hours.urls")),
    path("", include("consultations.booking.urls")),
    path("", include("consultations.online.urls")),
    path("", include("consultations.letters.urls")),
    path("", include("consultations.crisis.urls")),
    path("", include("consultations.cases.urls")),
    path("", include("consultations.students.urls")),
]
