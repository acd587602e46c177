"""The room's front page and its settings (included into the `consultations:` namespace)."""

from consultations.room import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("", views.room, "room"),
    signed_in("settings/", views.settings_edit, "settings"),
    signed_in("settings/categories/new/", views.category_new, "category-new"),
    signed_in("settings/categories/<int:pk>/toggle/", views.category_toggle, "category-toggle"),
    signed_in("settings/rooms/new/", views.room_new, "room-new"),
    signed_in("settings/rooms/<int:pk>/toggle/", views.room_toggle, "room-toggle"),
]
