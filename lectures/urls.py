from django.urls import include, path

app_name = "lectures"

# Two halves, kept in their own modules: events (lectures, activities, feedback) and
# publicity (bulletin board, open letters, theme months and contests).
urlpatterns = [
    path("", include("lectures.urls_events")),
    path("", include("lectures.urls_publicity")),
]
