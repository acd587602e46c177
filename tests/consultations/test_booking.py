"""The booking rules, each enforced by its one service entry point."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from consultations.booking import services
from consultations.booking.models import Booking, Origin, TalkRequest
from consultations.room.models import RoomSettings
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.notifications.models import Notification
from tests.consultations.world import NOW, REASON, THURSDAY, at

pytestmark = pytest.mark.django_db


def book(world, student=None, hour=14, day=THURSDAY, channel="in_person", **extra):
    student = student or world.student
    return services.book(
        student.user,
        counselor_id=world.counselor.pk,
        starts_at=at(day, hour),
        channel=channel,
        category=world.category,
        reason=extra.pop("reason", REASON),
        **extra,
    )


def code_of(func, *args, **kwargs):
    with pytest.raises(PortalError) as error:
        func(*args, **kwargs)
    return error.value.code


def test_a_student_books_a_slot_and_it_waits_for_confirmation(world):
    booking = book(world)
    assert booking.status == Booking.Status.PENDING
    assert booking.ends_at == at(THURSDAY, 15)
    assert booking.room == world.room
    note = Notification.objects.get(recipient=world.counselor)
    assert "14:00" in note.title
    assert AuditEntry.objects.filter(object_id=str(booking.pk), action="create").exists()


def test_the_slot_must_be_in_the_counselors_hours(world):
    assert code_of(book, world, hour=13) == "no_slot"
    assert code_of(book, world, channel="online") == "channel_not_offered"


def test_bookings_need_the_minimum_notice(world):
    # Wednesday 11:00 is a slot, one hour from now; two are needed.
    assert code_of(book, world, day=NOW.date(), hour=11) == "too_soon"


def test_bookings_open_only_so_many_days_ahead(world):
    assert code_of(book, world, day=THURSDAY + datetime.timedelta(weeks=3)) == "too_far"
    world.room_settings.days_ahead = 30
    world.room_settings.save()
    assert book(world, day=THURSDAY + datetime.timedelta(weeks=3)).pk


def test_a_student_holds_at_most_the_open_bookings_allowed(world):
    first = book(world, hour=14)
    book(world, hour=15)
    assert code_of(book, world, hour=16) == "too_many"
    services.cancel(world.student.user, first)
    assert book(world, hour=16).pk


def test_a_slot_is_never_booked_twice(world):
    book(world)
    assert code_of(book, world, student=world.other) == "taken"
    assert Booking.objects.filter(school=world.school).count() == 1


def test_the_database_refuses_a_second_live_booking_of_a_slot(world):
    world.booking()
    with pytest.raises(IntegrityError), transaction.atomic():
        world.booking(student=world.other)
    # A cancelled booking frees its slot, in the database too.
    Booking.objects.filter(school=world.school).update(
        status=Booking.Status.CANCELLED, cancelled_at=NOW
    )
    assert world.booking(student=world.other).pk


def test_a_cancelled_slot_can_be_booked_again(world):
    first = book(world)
    services.cancel(world.student.user, first)
    assert book(world, student=world.other).status == Booking.Status.PENDING


def test_the_student_cancels_only_before_the_cut_off(world):
    booking = book(world)  # Thursday 14:00; the cut-off is 12 hours before
    with time_machine.travel(at(THURSDAY, 3), tick=False):
        assert code_of(services.cancel, world.student.user, booking) == "cutoff"
        # The counselor still can, and the student is told.
        services.cancel(world.counselor, booking, note="临时开会")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED  # it was still waiting
    assert booking.cancelled_by == world.counselor and booking.cancel_note == "临时开会"
    assert Notification.objects.filter(recipient=world.student.user).exists()


def test_a_student_cancelling_in_time_is_recorded(world):
    booking = book(world)
    with time_machine.travel(at(THURSDAY, 1, 59), tick=False):
        services.cancel(world.student.user, booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.cancelled_by == world.student.user and booking.cancelled_at


def test_after_repeated_no_shows_only_a_counselor_books(world):
    for week in (1, 2):
        world.booking(
            starts_at=at(THURSDAY - datetime.timedelta(weeks=week), 14),
            status=Booking.Status.NO_SHOW,
        )
    assert services.no_shows(world.student) == 2
    assert code_of(book, world) == "no_show_rule"
    # The counselor books with the student instead.
    booking = services.book_on_behalf(
        world.counselor,
        world.student,
        starts_at=at(THURSDAY, 14),
        channel="in_person",
        origin=Origin.WALK_IN,
    )
    assert booking.status == Booking.Status.CONFIRMED
    # The rule is the school's: with "nothing follows" the student books again.
    booking.delete()
    world.room_settings.no_show_rule = RoomSettings.NoShowRule.NOTHING
    world.room_settings.save()
    assert book(world).pk


def test_no_shows_of_an_earlier_semester_do_not_count(world):
    for week in (1, 2):
        world.booking(
            starts_at=at(world.semester.first_monday - datetime.timedelta(weeks=week), 14),
            status=Booking.Status.NO_SHOW,
        )
    assert services.no_shows(world.student) == 0
    assert book(world).pk


def test_the_no_show_rule_is_shown_plainly(world, client):
    for week in (1, 2):
        world.booking(
            starts_at=at(THURSDAY - datetime.timedelta(weeks=week), 14),
            status=Booking.Status.NO_SHOW,
        )
    client.force_login(world.student.user)
    html = client.get(reverse("consultations:slot-list")).content.decode()
    assert 'id="no-show-rule"' in html
    assert "btn-sm slot" not in html  # no slot to pick


def test_the_counselor_confirms_and_the_student_is_told(world):
    booking = book(world)
    assert code_of(services.confirm, world.counselor2, booking) == "not_yours"
    assert code_of(services.confirm, world.student.user, booking) == "not_yours"
    services.confirm(world.counselor, booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED and booking.confirmed_at
    assert "14:00" in Notification.objects.get(recipient=world.student.user).title
    assert code_of(services.confirm, world.counselor, booking) == "not_pending"


def test_attended_and_no_show_are_recorded_after_the_start_only(world):
    booking = book(world)
    services.confirm(world.counselor, booking)
    assert code_of(services.mark_attended, world.counselor, booking) == "not_yet"
    with time_machine.travel(at(THURSDAY, 14, 30), tick=False):
        services.mark_no_show(world.counselor, booking)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.NO_SHOW and booking.closed_at


@pytest.mark.usefixtures("eager_celery")
def test_reminders_the_day_before_say_a_time_and_nothing_else(
    world, django_capture_on_commit_callbacks
):
    booking = book(world)
    services.confirm(world.counselor, booking)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders() == 1
    assert services.send_reminders() == 0  # once only
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {"c-student@example.edu.cn", "c-one@example.edu.cn"}
    for message in mail.outbox:
        text = message.subject + message.body + "".join(str(a[0]) for a in message.alternatives)
        assert "14:00" in text
        for secret in (REASON, world.category.name, world.student.name, "陈老师"):
            assert secret not in text
    titles = Notification.objects.filter(kind="consultations.booking_reminder")
    assert titles.count() == 2 and all(n.body == "" for n in titles)


def test_no_notification_of_the_room_names_the_reason_or_the_student(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(world)
        services.confirm(world.counselor, booking)
        services.cancel(world.student.user, booking)
        services.request_talk(world.other.user, channel="phone", reason=REASON)
    notes = Notification.objects.filter(kind__startswith="consultations.")
    assert notes.count() >= 4
    for note in notes:
        for secret in (REASON, world.category.name, world.student.name, world.other.name):
            assert secret not in note.title + note.body
    for message in mail.outbox:
        assert REASON not in message.body and world.student.name not in message.body


def test_a_counselor_books_from_an_alert_in_one_step(world, client):
    client.force_login(world.counselor)
    url = reverse("consultations:book-for") + f"?student={world.student.pk}&origin=alert&alert=77"
    page = client.get(url).content.decode()
    assert world.student.student_number in page
    response = client.post(
        url,
        {
            "student_number": world.student.student_number,
            "origin": "alert",
            "date": "2026-11-26",
            "time": "14:00",
            "channel": "in_person",
        },
    )
    assert response.status_code == 302
    booking = Booking.objects.get(school=world.school)
    assert booking.origin == Origin.ALERT and booking.alert_id == 77
    assert booking.status == Booking.Status.CONFIRMED and booking.booked_by == world.counselor


def test_booking_on_behalf_still_respects_the_slot(world):
    book(world)
    code = code_of(
        services.book_on_behalf,
        world.counselor,
        world.other,
        starts_at=at(THURSDAY, 14),
        channel="phone",
        origin=Origin.REFERRAL,
    )
    assert code == "taken"
    assert (
        code_of(
            services.book_on_behalf,
            world.counselor2,
            world.other,
            starts_at=at(THURSDAY, 9),
            channel="phone",
            counselor=world.counselor,
        )
        == "not_head"
    )


def test_i_want_to_talk_once_then_a_counselor_answers_with_a_booking(world):
    talk = services.request_talk(world.student.user, channel="phone", when_suits="周四下午")
    assert code_of(services.request_talk, world.student.user, channel="phone") == "already_asked"
    booking = services.answer_request(
        world.counselor, talk, starts_at=at(THURSDAY, 15), channel="phone"
    )
    talk.refresh_from_db()
    assert talk.status == TalkRequest.Status.ANSWERED and talk.booking == booking
    assert booking.origin == Origin.REQUEST and booking.status == Booking.Status.CONFIRMED
    assert (
        code_of(
            services.answer_request,
            world.counselor,
            talk,
            starts_at=at(THURSDAY, 16),
            channel="phone",
        )
        == "answered"
    )


def test_booking_attempts_are_rate_limited(world):
    codes = []
    for _n in range(12):
        try:
            book(world, hour=13)  # never a slot: each attempt fails
        except PortalError as error:
            codes.append(error.code)
    assert codes[:10] == ["no_slot"] * 10
    assert codes[10:] == ["rate", "rate"]


def test_the_booking_page_books_and_shows_clear_messages(world, client):
    client.force_login(world.student.user)
    slot = f"{world.counselor.pk}:2026-11-26T14:00"
    page = client.get(reverse("consultations:book") + f"?slot={slot}").content.decode()
    assert "0571-1234 5678" in page and "周一至周五" in page  # hotlines and hours
    data = {"slot": slot, "channel": "in_person", "category": world.category.pk, "reason": "x"}
    response = client.post(reverse("consultations:book"), data)
    assert response.status_code == 302
    client.force_login(world.other.user)
    response = client.post(reverse("consultations:book"), data)
    assert response.status_code == 409
    assert "已被" in response.content.decode() or "just booked" in response.content.decode()


def test_semester_figures_count_by_channel_status_and_no_shows(world):
    world.booking(starts_at=at(THURSDAY, 14), status=Booking.Status.ATTENDED)
    world.booking(starts_at=at(THURSDAY, 15), status=Booking.Status.NO_SHOW, channel="phone")
    world.booking(starts_at=at(THURSDAY, 16), status=Booking.Status.CANCELLED)
    world.booking(starts_at=at(THURSDAY, 16), status=Booking.Status.PENDING, student=world.other)
    world.booking(  # before the semester: not counted
        starts_at=at(world.semester.first_monday - datetime.timedelta(days=3), 14),
        status=Booking.Status.ATTENDED,
    )
    figures = Booking.objects.for_semester(world.semester).figures()
    assert figures["total"] == 4
    assert figures["by_channel"] == {"in_person": 2, "phone": 1, "online": 0}
    assert figures["by_status"]["no_show"] == 1 and figures["no_shows"] == 1
    assert figures["attended"] == 1 and figures["cancelled"] == 1
    assert figures["by_category"] == {world.category.name: 1}
    assert figures["students"] == 1
