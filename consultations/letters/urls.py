"""Letters to the room (included into the `consultations:` namespace)."""

from django.urls import path

from consultations.letters import views
from consultations.shared.urls import signed_in

urlpatterns = [
    # Writing and picking up are public (the views say so); the rest for counselors.
    path("letters/write/", views.letter_write, name="letter-write"),
    path("letters/pickup/", views.letter_pickup, name="letter-pickup"),
    signed_in("letters/mine/", views.my_letters, "my-letters"),
    signed_in("letters/", views.letter_list, "letter-list"),
    signed_in("letters/<int:pk>/", views.letter_detail, "letter-detail"),
    signed_in("letters/<int:pk>/publish/", views.letter_publish, "letter-publish"),
    signed_in("letters/<int:pk>/case/", views.letter_to_case, "letter-case"),
]
