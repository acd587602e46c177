"""Slots: derived from the weekly hours, minus exceptions, breaks and taken bookings.

Nothing here is stored: a slot is (counselor, start) inside a block of hours, cut into
the room's fixed slot length. The same few queries serve a day or a month.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.hours.models import CounselorHours, HoursException
from consultations.room.models import RoomSettings
from counseling import audit
from counseling.audit import AuditEntry
from counseling.errors import PortalError
from counseling.models import Semester


@dataclass
class Slot:
    counselor: object
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    channels: list
    room: object = None
    hours_id: int = 0
    booking: object = None
    extra: dict = field(default_factory=dict)

    @property
    def taken(self):
        return self.booking is not None

    @property
    def key(self):
        """What a form posts to name the slot: counselor id and start, in local time."""
        return f"{self.counselor.pk}:{timezone.localtime(self.starts_at):%Y-%m-%dT%H:%M}"


def parse_key(key):
    """(counselor_id, aware start) from a slot key, or a PortalError."""
    try:
        counselor_id, start = key.split(":", 1)
        naive = datetime.datetime.strptime(start, "%Y-%m-%dT%H:%M")
        return int(counselor_id), timezone.make_aware(naive)
    except (ValueError, AttributeError):
        raise PortalError("bad_slot", _("This slot does not exist.")) from None


def _break_days(school, first_day, last_day):
    """Dates between the two that fall in a semester's week without teaching."""
    days = set()
    semesters = Semester.objects.filter(school=school, first_monday__lte=last_day).prefetch_related(
        "breaks"
    )
    for semester in semesters:
        if semester.last_day < first_day:
            continue
        for week in semester.non_teaching_weeks:
            start = semester.week_start(week)
            days.update(start + datetime.timedelta(days=n) for n in range(7))
    return days


def closed_days(school, first_day, last_day, room_settings=None):
    """{counselor_id or None: set(dates)} when there are no hours (None: the whole room)."""
    room_settings = room_settings or RoomSettings.for_school(school)
    closed = {None: set()}
    if room_settings.closed_in_breaks:
        closed[None] |= _break_days(school, first_day, last_day)
    for exc in HoursException.objects.filter(school=school).overlapping(first_day, last_day):
        day = max(exc.starts_on, first_day)
        while day <= min(exc.ends_on, last_day):
            closed.setdefault(exc.counselor_id, set()).add(day)
            day += datetime.timedelta(days=1)
    return closed


def slots(school, first_day, last_day, *, counselor=None, with_bookings=True):
    """Every slot of the school (or of one counselor) between two dates, in order.

    Six queries whatever the range: settings, semesters and their breaks, exceptions,
    hours, bookings.
    """
    from consultations.booking.models import Booking

    room_settings = RoomSettings.for_school(school)
    closed = closed_days(school, first_day, last_day, room_settings)
    hours = (
        CounselorHours.objects.filter(school=school).active().select_related("counselor", "room")
    )
    if counselor is not None:
        hours = hours.filter(counselor=counselor)
    by_weekday = {}
    for block in hours:
        by_weekday.setdefault(block.weekday, []).append(block)
    length = datetime.timedelta(minutes=room_settings.slot_minutes)
    result = []
    day = first_day
    while day <= last_day:
        if day not in closed[None]:
            for block in by_weekday.get(day.weekday(), []):
                if block.valid_from and day < block.valid_from:
                    continue
                if block.valid_until and day > block.valid_until:
                    continue
                if day in closed.get(block.counselor_id, ()):
                    continue
                start = timezone.make_aware(datetime.datetime.combine(day, block.starts_at))
                end_of_block = timezone.make_aware(datetime.datetime.combine(day, block.ends_at))
                while start + length <= end_of_block:
                    result.append(
                        Slot(
                            counselor=block.counselor,
                            starts_at=start,
                            ends_at=start + length,
                            channels=block.channels,
                            room=block.room,
                            hours_id=block.pk,
                        )
                    )
                    start += length
        day += datetime.timedelta(days=1)
    result.sort(key=lambda s: (s.starts_at, s.counselor.get_full_name(), s.counselor.pk))
    if with_bookings and result:
        first = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
        last = timezone.make_aware(
            datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time.min)
        )
        taken = {
            (b.counselor_id, b.starts_at): b
            for b in Booking.objects.filter(
                school=school, starts_at__gte=first, starts_at__lt=last
            ).active()
        }
        for slot in result:
            slot.booking = taken.get((slot.counselor.pk, slot.starts_at))
    return result


def find_slot(school, counselor_id, starts_at):
    """The slot of that counselor starting then, or None if the hours have no such slot."""
    day = timezone.localtime(starts_at).date()
    for slot in slots(school, day, day, with_bookings=False):
        if slot.counselor.pk == counselor_id and slot.starts_at == starts_at:
            return slot
    return None


def _counselor_of(user, school):
    if school.pk not in user.access.counselor_school_ids:
        raise PortalError("not_counselor", _("Only the school's counselors can do this."))


def save_hours(user, hours, *, request=None):
    """Create or change a block of hours; a counselor edits its own, the head counselor all."""
    _counselor_of(user, hours.school)
    if (
        hours.counselor_id != user.pk
        and hours.school_id not in user.access.head_counselor_school_ids
    ):
        raise PortalError("not_yours", _("Only the head counselor can change another's hours."))
    if hours.counselor_id and hours.school_id not in hours.counselor.access.counselor_school_ids:
        raise PortalError("not_counselor", _("Hours belong to a counselor of the school."))
    created = hours.pk is None
    with transaction.atomic():
        hours.full_clean()
        hours.save()
        audit.record(
            user,
            AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
            hours,
            request=request,
        )
    return hours


def save_exception(user, exception, *, request=None):
    _counselor_of(user, exception.school)
    is_head = exception.school_id in user.access.head_counselor_school_ids
    if exception.counselor_id is None and not is_head:
        raise PortalError("not_head", _("Only the head counselor can close the whole room."))
    if exception.counselor_id not in (None, user.pk) and not is_head:
        raise PortalError("not_yours", _("Only the head counselor can record another's leave."))
    with transaction.atomic():
        exception.full_clean()
        exception.save()
        audit.record(user, AuditEntry.Action.CREATE, exception, request=request)
    return exception
