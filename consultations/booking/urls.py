"""Bookings and requests to talk (included into the `consultations:` namespace)."""

from consultations.booking import views
from consultations.shared.urls import signed_in

urlpatterns = [
    signed_in("book/", views.slot_list, "slot-list"),
    signed_in("book/slot/", views.book, "book"),
    signed_in("book/for/", views.book_for, "book-for"),
    signed_in("bookings/", views.booking_list, "booking-list"),
    signed_in("bookings/<int:pk>/", views.booking_detail, "booking-detail"),
    signed_in("bookings/<int:pk>/<slug:action>/", views.booking_action, "booking-action"),
    signed_in("talk/", views.talk_request, "talk-request"),
    signed_in("requests/", views.request_list, "request-list"),
    signed_in("requests/<int:pk>/answer/", views.request_answer, "request-answer"),
    signed_in("requests/<int:pk>/withdraw/", views.request_withdraw, "request-withdraw"),
]
