"""Online consultation threads (included into the `consultations:` namespace)."""

from consultations.online import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("online/", views.inbox, "inbox"),
    signed_in("online/new/", views.thread_new, "thread-new"),
    signed_in("online/<int:pk>/", views.thread_detail, "thread-detail"),
    signed_in("online/<int:pk>/link/", views.thread_link, "thread-link"),
    signed_in("online/<int:pk>/close/", views.thread_close, "thread-close"),
]
