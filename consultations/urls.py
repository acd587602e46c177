from django.contrib.auth.decorators import login_required
from django.urls import path

from consultations.booking import views as booking
from consultations.cases import views as cases
from consultations.crisis import views as crisis
from consultations.hours import views as hours
from consultations.letters import views as letters
from consultations.online import views as online
from consultations.room import views as room

app_name = "consultations"


def _p(route, view, name):
    # Every page of the room needs a signed-in person; the views check the rest.
    return path(route, login_required(view), name=name)


urlpatterns = [
    _p("", room.room, "room"),
    _p("settings/", room.settings_edit, "settings"),
    _p("settings/categories/new/", room.category_new, "category-new"),
    _p("settings/categories/<int:pk>/toggle/", room.category_toggle, "category-toggle"),
    _p("settings/rooms/new/", room.room_new, "room-new"),
    _p("settings/rooms/<int:pk>/toggle/", room.room_toggle, "room-toggle"),
    # Counselors' hours and their week.
    _p("week/", hours.week, "week"),
    _p("hours/", hours.hours_list, "hours"),
    _p("hours/new/", hours.hours_edit, "hours-new"),
    _p("hours/<int:pk>/edit/", hours.hours_edit, "hours-edit"),
    _p("hours/<int:pk>/end/", hours.hours_end, "hours-end"),
    _p("hours/exceptions/new/", hours.exception_new, "exception-new"),
    _p("hours/exceptions/<int:pk>/delete/", hours.exception_delete, "exception-delete"),
    # Bookings.
    _p("book/", booking.slot_list, "slot-list"),
    _p("book/slot/", booking.book, "book"),
    _p("book/for/", booking.book_for, "book-for"),
    _p("bookings/", booking.booking_list, "booking-list"),
    _p("bookings/<int:pk>/", booking.booking_detail, "booking-detail"),
    _p("bookings/<int:pk>/<slug:action>/", booking.booking_action, "booking-action"),
    _p("talk/", booking.talk_request, "talk-request"),
    _p("requests/", booking.request_list, "request-list"),
    _p("requests/<int:pk>/answer/", booking.request_answer, "request-answer"),
    _p("requests/<int:pk>/withdraw/", booking.request_withdraw, "request-withdraw"),
    # Online consultation.
    _p("online/", online.inbox, "inbox"),
    _p("online/new/", online.thread_new, "thread-new"),
    _p("online/<int:pk>/", online.thread_detail, "thread-detail"),
    _p("online/<int:pk>/link/", online.thread_link, "thread-link"),
    _p("online/<int:pk>/close/", online.thread_close, "thread-close"),
    # Letters: writing and picking up are public (the views say so); the rest for counselors.
    path("letters/write/", letters.letter_write, name="letter-write"),
    path("letters/pickup/", letters.letter_pickup, name="letter-pickup"),
    _p("letters/mine/", letters.my_letters, "my-letters"),
    _p("letters/", letters.letter_list, "letter-list"),
    _p("letters/<int:pk>/", letters.letter_detail, "letter-detail"),
    _p("letters/<int:pk>/publish/", letters.letter_publish, "letter-publish"),
    _p("letters/<int:pk>/case/", letters.letter_to_case, "letter-case"),
    # Case files.
    _p("cases/", cases.case_list, "case-list"),
    _p("cases/settings/", crisis.crisis_settings, "crisis-settings"),
    _p("cases/new/", cases.case_new, "case-new"),
    _p("cases/from-alert/<int:alert_pk>/", cases.case_from_alert, "case-from-alert"),
    _p("cases/<int:pk>/", cases.case_detail, "case-detail"),
    _p("cases/<int:pk>/break-glass/", cases.case_break_glass, "case-break-glass"),
    _p("cases/<int:pk>/<slug:action>/", cases.case_action, "case-action"),
]
