"""The consultation room's objects for the crawl of every URL (tests/portal/tier3.py): one
of each kind in the second school (the home school's come from tests/portal/rich_world.py),
and their path arguments."""

import datetime

from django.utils import timezone

from consultations.booking.models import Booking, TalkRequest
from consultations.hours.models import CounselorHours, HoursException
from consultations.online.models import Message, Thread
from consultations.room.models import ReasonCategory, Room


def other_objects(school, counselor, student):
    """The same kinds in another school, each named so that a leak shows ("外校")."""
    category = ReasonCategory.objects.create(school=school, name="外校咨询主题")
    room = Room.objects.create(school=school, name="外校咨询室")
    starts = timezone.now() + datetime.timedelta(days=3)
    booking = Booking.objects.create(
        school=school,
        student=student,
        counselor=counselor,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        channel="in_person",
        category=category,
        reason="外校学生的咨询原因",
        booked_by=counselor,
    )
    thread = Thread.objects.create(
        school=school, student=student, counselor=counselor, subject="外校网络咨询"
    )
    Message.objects.create(thread=thread, author=counselor, from_counselor=True, body="外校消息")
    return {
        "c_booking": booking,
        "c_thread": thread,
        "c_talk": TalkRequest.objects.create(
            school=school, student=student, channel="phone", reason="外校的聊聊请求"
        ),
        "c_hours": CounselorHours.objects.create(
            school=school,
            counselor=counselor,
            weekday=1,
            starts_at=datetime.time(9),
            ends_at=datetime.time(11),
        ),
        "c_exception": HoursException.objects.create(
            school=school,
            counselor=counselor,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
            note="外校请假",
        ),
        "c_category": category,
        "c_room": room,
    }


def path_kwargs(o):
    """URL name -> argument sets, for the kinds present in `o` (a world may bring fewer)."""
    pk = {
        "consultations:booking-detail": "c_booking",
        "consultations:category-toggle": "c_category",
        "consultations:room-toggle": "c_room",
        "consultations:hours-edit": "c_hours",
        "consultations:hours-end": "c_hours",
        "consultations:exception-delete": "c_exception",
        "consultations:request-answer": "c_talk",
        "consultations:request-withdraw": "c_talk",
        "consultations:thread-detail": "c_thread",
        "consultations:thread-link": "c_thread",
        "consultations:thread-close": "c_thread",
    }
    result = {name: [{"pk": o[kind].pk}] for name, kind in pk.items() if o.get(kind)}
    if o.get("c_booking"):
        result["consultations:booking-action"] = [
            {"pk": o["c_booking"].pk, "action": action}
            for action in ("confirm", "cancel", "attended", "no-show")
        ]
    return result
