"""The student search behind the room's student fields (included into `consultations:`)."""

from consultations.shared.urls import signed_in
from consultations.students import views

urlpatterns = [
    signed_in("students/search/", views.search, "student-search"),
]
