"""The consultation room's models, one folder per feature; re-exported for the app label."""

from consultations.booking.models import Booking, BookingQuerySet, Origin, TalkRequest
from consultations.hours.models import WEEKDAYS, Channel, CounselorHours, HoursException
from consultations.online.models import Message, Thread
from consultations.room.models import ReasonCategory, Room, RoomSettings

__all__ = [
    "WEEKDAYS",
    "Booking",
    "BookingQuerySet",
    "Channel",
    "CounselorHours",
    "HoursException",
    "Message",
    "Origin",
    "ReasonCategory",
    "Room",
    "RoomSettings",
    "TalkRequest",
    "Thread",
]
