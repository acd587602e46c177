"""The committee network's URLs, one list per feature, all in the `committees:` namespace."""

from django.urls import include, path

app_name = "committees"

urlpatterns = [
    path("", include("committees.network.urls")),
    path("", include("committees.barometer.urls")),
    path("", include("committees.board.urls")),
]
