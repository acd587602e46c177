"""Slots come from the weekly hours, minus leave, closures and weeks without teaching."""

import datetime

import pytest
from django.urls import reverse

from consultations.hours import services
from consultations.hours.models import HoursException
from counseling.errors import PortalError
from tests.consultations.world import THURSDAY, HoursFactory, at

pytestmark = pytest.mark.django_db


def _times(slots, counselor=None):
    return [
        f"{s.starts_at.astimezone(at(THURSDAY, 0).tzinfo):%H:%M}"
        for s in slots
        if counselor is None or s.counselor == counselor
    ]


def test_slots_are_the_hours_cut_into_the_slot_length(world):
    slots = services.slots(world.school, THURSDAY, THURSDAY)
    assert _times(slots) == ["14:00", "15:00", "16:00"]
    assert all(s.counselor == world.counselor for s in slots)
    assert slots[0].channels == ["in_person", "phone"]
    assert slots[0].room == world.room


def test_a_slot_that_would_run_past_the_hours_is_not_offered(world):
    world.room_settings.slot_minutes = 50
    world.room_settings.save()
    slots = services.slots(world.school, THURSDAY, THURSDAY)
    # 16:30 would end at 17:20, after the hours end.
    assert _times(slots) == ["14:00", "14:50", "15:40"]


def test_leave_removes_the_counselors_slots_only(world):
    HoursFactory(school=world.school, counselor=world.counselor2, weekday=3)
    HoursException.objects.create(
        school=world.school, counselor=world.counselor, starts_on=THURSDAY, ends_on=THURSDAY
    )
    slots = services.slots(world.school, THURSDAY, THURSDAY)
    assert {s.counselor for s in slots} == {world.counselor2}


def test_a_room_closure_removes_everyones_slots(world):
    HoursFactory(school=world.school, counselor=world.counselor2, weekday=3)
    HoursException.objects.create(
        school=world.school,
        counselor=None,
        kind=HoursException.Kind.HOLIDAY,
        starts_on=THURSDAY,
        ends_on=THURSDAY,
    )
    assert services.slots(world.school, THURSDAY, THURSDAY) == []


def test_weeks_without_teaching_have_no_slots_unless_the_room_stays_open(world):
    in_break = datetime.date(2026, 12, 10)  # Thursday of week 15
    assert world.semester.week_of(in_break) == 15
    assert services.slots(world.school, in_break, in_break) == []
    world.room_settings.closed_in_breaks = False
    world.room_settings.save()
    assert _times(services.slots(world.school, in_break, in_break)) == ["14:00", "15:00", "16:00"]


def test_hours_apply_only_within_their_dates(world):
    hours = world.counselor.consultation_hours.get(weekday=3)
    hours.valid_until = THURSDAY - datetime.timedelta(days=1)
    hours.save()
    assert services.slots(world.school, THURSDAY, THURSDAY) == []


def test_a_booked_slot_is_marked_taken(world):
    booking = world.booking(starts_at=at(THURSDAY, 15))
    slots = services.slots(world.school, THURSDAY, THURSDAY)
    assert [s.booking for s in slots] == [None, booking, None]


def test_slots_take_the_same_queries_for_a_day_or_a_month(world, django_assert_num_queries):
    for weekday in range(5):
        HoursFactory(school=world.school, counselor=world.counselor2, weekday=weekday)
    world.booking(starts_at=at(THURSDAY, 15))
    services.slots(world.school, THURSDAY, THURSDAY)  # settings row exists from here on
    with django_assert_num_queries(6):
        day = services.slots(world.school, THURSDAY, THURSDAY)
    with django_assert_num_queries(6):
        month = services.slots(world.school, THURSDAY, THURSDAY + datetime.timedelta(days=30))
    assert len(month) > 10 * len(day)


def test_a_counselor_cannot_change_anothers_hours(world):
    hours = world.counselor.consultation_hours.get(weekday=3)
    hours.ends_at = datetime.time(18)
    with pytest.raises(PortalError) as error:
        services.save_hours(world.counselor2, hours)
    assert error.value.code == "not_yours"
    services.save_hours(world.head, hours)  # the head counselor can
    hours.refresh_from_db()
    assert hours.ends_at == datetime.time(18)


def test_only_the_head_counselor_closes_the_whole_room(world):
    closure = HoursException(school=world.school, starts_on=THURSDAY, ends_on=THURSDAY)
    with pytest.raises(PortalError) as error:
        services.save_exception(world.counselor, closure)
    assert error.value.code == "not_head"
    services.save_exception(world.head, closure)
    assert closure.pk


def test_the_head_counselor_sees_everyones_week(world, client):
    world.booking(starts_at=at(THURSDAY, 15))
    url = reverse("consultations:week") + "?start=2026-11-23&counselor=all"
    client.force_login(world.head)
    html = client.get(url).content.decode()
    assert "陈老师" in html and world.student.name in html
    # A counselor asking for everyone's week sees its own only.
    client.force_login(world.counselor2)
    html = client.get(url).content.decode()
    assert "陈老师" not in html


def test_a_counselor_adds_hours_from_the_page(world, client):
    client.force_login(world.counselor2)
    response = client.post(
        reverse("consultations:hours-new"),
        {"weekday": 1, "starts_at": "09:00", "ends_at": "08:00", "in_person": "on"},
    )
    assert response.status_code == 400
    assert "结束" in response.content.decode() or "end" in response.content.decode()
    response = client.post(
        reverse("consultations:hours-new"),
        {"weekday": 1, "starts_at": "09:00", "ends_at": "11:00", "in_person": "on"},
    )
    assert response.status_code == 302
    assert world.counselor2.consultation_hours.get().weekday == 1
