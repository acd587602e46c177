from django.urls import include, path

app_name = "lectures"

# One module of URLs per sub-feature, all in the `lectures:` namespace; no two of them share
# a prefix, so their order does not matter.
urlpatterns = [
    path("", include("lectures.events.urls")),
    path("", include("lectures.coverage.urls")),
    path("", include("lectures.activities.urls")),
    path("", include("lectures.feedback.urls")),
    path("", include("lectures.publicity.urls")),
]
