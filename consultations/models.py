"""The consultation room's models, one folder per feature; re-exported for the app label."""

from consultations.booking.models import Booking, BookingQuerySet, Origin, TalkRequest
from consultations.cases.models import (
    BreakGlassGrant,
    Case,
    CounselorTask,
    InterventionPlan,
    NoteRevision,
    ParentContact,
    PlanReview,
    Referral,
    ReferralFollowUp,
    ReferralService,
    Risk,
    RiskChange,
    SessionNote,
)
from consultations.crisis.models import CrisisAction, CrisisStep
from consultations.hours.models import WEEKDAYS, Channel, CounselorHours, HoursException
from consultations.letters.models import CrisisWord, Letter
from consultations.online.models import Message, Thread
from consultations.room.models import ReasonCategory, Room, RoomSettings

__all__ = [
    "BreakGlassGrant",
    "Case",
    "CounselorTask",
    "CrisisAction",
    "CrisisStep",
    "CrisisWord",
    "InterventionPlan",
    "Letter",
    "NoteRevision",
    "ParentContact",
    "PlanReview",
    "Referral",
    "ReferralFollowUp",
    "ReferralService",
    "Risk",
    "RiskChange",
    "SessionNote",
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
