"""Planning lecture and activity sessions: the steps around lectures.services that the
pages need (a preview that writes nothing, moving one session, re-planning a cancelled one).

Kept apart from services.py so that the rules stay out of the views: every check here is the
same one the saving step makes, so a preview that passes is a save that passes (barring a
booking made in between, which check_venue still refuses under its lock).
"""

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.models import SchoolClass
from lectures import services
from lectures.models import ActivitySession, LectureSession, SessionClass
from lectures.models.lectures import Status
from lectures.services import (
    check_venue,
    class_sizes,
    set_status,
    split_classes,
    venue_conflicts,
)

Action = audit.AuditEntry.Action
MAX_SESSIONS = 20


def weekday_dates(first, count, semester=None):
    """`count` school days from `first` on, one a day, skipping weekends and weeks without
    teaching (the seed's 9月22日–28日 in five sessions: Tue, Wed, Thu, Fri, Mon)."""
    dates, day = [], first
    # A bound on the walk: a semester of holidays must not loop for ever.
    for _step in range(count * 7 + 60):
        if len(dates) == count:
            break
        week = semester.week_of(day) if semester else None
        teaching = semester is None or (week is not None and semester.is_teaching_week(week))
        if day.weekday() < 5 and teaching:
            dates.append(day)
        day += datetime.timedelta(days=1)
    return dates


def on_internship(classes, first, last):
    """Classes away on an internship at some point between the two dates.

    Absences are recorded with the barometer (a class on internship files none); they are
    reached by the reverse name so that lectures does not import committees.
    """
    return SchoolClass.objects.filter(
        pk__in=[c.pk for c in classes],
        absences__kind="internship",
        absences__starts_on__lte=last,
        absences__ends_on__gte=first,
    ).distinct()


def check_slots(lecture, slots):
    """The same checks create_series makes, in the same words, before anything is split."""
    if not slots:
        raise PortalError("sessions", _("A lecture has at least one session."))
    if len(slots) > MAX_SESSIONS:
        raise PortalError(
            "sessions", _("At most %(n)s sessions in one step.") % {"n": MAX_SESSIONS}
        )
    for date, start, end in slots:
        if end <= start:
            raise PortalError("bad_time", _("A session must end after it starts."))
        if not lecture.semester.contains(date):
            raise PortalError("outside", _("%(date)s is outside the semester.") % {"date": date})
    ordered = sorted(slots)
    for (d1, _s1, e1), (d2, s2, _e2) in zip(ordered, ordered[1:], strict=False):
        if d1 == d2 and s2 < e1:
            raise PortalError(
                "overlap", _("Two of the sessions overlap on %(date)s.") % {"date": d1}
            )


def preview_series(lecture, *, slots, venue, classes):
    """What create_series would make, without writing: the classes of each session, its seats
    against the venue's, and any booking already in the way. Raises PortalError as it would."""
    classes = list(classes)
    if not classes:
        raise PortalError("no_classes", _("The audience has no classes."))
    check_slots(lecture, slots)
    if len(slots) > len(classes):
        raise PortalError(
            "more_sessions",
            _("%(n)s sessions for %(c)s classes would leave a session empty; use fewer sessions.")
            % {"n": len(slots), "c": len(classes)},
        )
    bins = split_classes(classes, len(slots), venue.capacity)
    sessions = []
    for (date, start, end), group in zip(slots, bins, strict=True):
        seats = sum(n for _c, n in group)
        sessions.append(
            {
                "date": date,
                "week": lecture.semester.week_of(date),
                "start": start,
                "end": end,
                "classes": sorted(group, key=lambda item: (item[0].department.name, item[0].name)),
                "seats": seats,
                "capacity": venue.capacity,
                "percent": round(100 * seats / venue.capacity),
                "clash": venue_conflicts(venue, date, start, end),
            }
        )
    clashes = [s for s in sessions if s["clash"]]
    if clashes:
        first = clashes[0]
        raise PortalError(
            "venue_taken",
            _("%(venue)s is already booked then: %(what)s.")
            % {"venue": venue.name, "what": first["clash"][0]},
        )
    return {
        "sessions": sessions,
        "students": sum(s["seats"] for s in sessions),
        "classes": len(classes),
    }


def create_series(lecture, actor, *, slots, venue, classes, request=None):
    """create_series, refusing first what it would let through (an empty session)."""
    classes = list(classes)
    check_slots(lecture, slots)
    if classes and len(slots) > len(classes):
        raise PortalError(
            "more_sessions",
            _("%(n)s sessions for %(c)s classes would leave a session empty; use fewer sessions.")
            % {"n": len(slots), "c": len(classes)},
        )
    return services.create_series(
        lecture, actor, slots=slots, venue=venue, classes=classes, request=request
    )


@transaction.atomic
def update_session(session, actor, *, date, start, end, venue, classes, request=None):
    """Move one session (date, time, venue) and change its classes.

    A class added here that attends another planned session of the lecture moves: every class
    still comes once. One that already sat a held session stays where it was recorded.
    """
    lecture = session.lecture
    if session.status == Status.CANCELLED:
        raise PortalError("cancelled", _("The session was cancelled."))
    if session.status == Status.HELD:
        # Its classes carry the attendance recorded; moving them would lose it.
        raise PortalError("held", _("The session was held; correct its attendance instead."))
    if end <= start:
        raise PortalError("bad_time", _("A session must end after it starts."))
    if not lecture.semester.contains(date):
        raise PortalError("outside", _("%(date)s is outside the semester.") % {"date": date})
    check_venue(venue, date, start, end, exclude_lecture_session=session)
    classes = list(classes)
    if not classes:
        raise PortalError("no_classes", _("A session needs at least one class."))
    sizes = class_sizes(classes)
    seats = sum(sizes.get(c.pk, 0) for c in classes)
    if seats > venue.capacity:
        raise PortalError(
            "too_many",
            _("%(n)s students do not fit into the %(cap)s seats of %(venue)s.")
            % {"n": seats, "cap": venue.capacity, "venue": venue.name},
        )
    others = SessionClass.objects.filter(
        session__lecture=lecture, school_class__in=classes
    ).exclude(session=session)
    held = others.filter(session__status=Status.HELD).select_related("school_class", "session")
    if held:
        row = held[0]
        raise PortalError(
            "class_held",
            _("%(cls)s already attended session %(n)s.")
            % {"cls": row.school_class, "n": row.session.number},
        )
    # Cancelled sessions keep their record of who was to come.
    elsewhere = others.filter(session__status=Status.PLANNED)
    moved = [str(r.school_class) for r in elsewhere.select_related("school_class")]
    elsewhere.delete()
    wanted = {c.pk for c in classes}
    current = {row.school_class_id: row for row in session.classes.all()}
    session.classes.exclude(school_class_id__in=wanted).delete()
    SessionClass.objects.bulk_create(
        SessionClass(session=session, school_class=c, expected=sizes.get(c.pk, 0))
        for c in classes
        if c.pk not in current
    )
    if date != session.date or start != session.start_time:
        session.reminder_sent_at = None  # a moved session is reminded again
    session.date, session.start_time, session.end_time, session.venue = date, start, end, venue
    session.save()
    session.log_action(
        actor,
        Action.UPDATE,
        request=request,
        changes={
            "when": f"{date} {start:%H:%M}-{end:%H:%M}",
            "venue": venue.name,
            "classes": len(classes),
            "moved_here": moved,
        },
    )
    return moved


@transaction.atomic
def change_status(obj, status, actor, *, request=None):
    """set_status, but a cancelled session planned again must find its venue still free:
    cancelling freed the slot, and someone may have booked it since."""
    if (
        isinstance(obj, LectureSession | ActivitySession)
        and obj.status == Status.CANCELLED
        and status != Status.CANCELLED
        and obj.venue_id
    ):
        exclude = (
            {"exclude_lecture_session": obj}
            if isinstance(obj, LectureSession)
            else {"exclude_activity_session": obj}
        )
        check_venue(obj.venue, obj.date, obj.start_time, obj.end_time, **exclude)
    set_status(obj, status, actor, request=request)


@transaction.atomic
def save_activity_session(form, actor, *, request=None):
    """Save an activity session from its form, refusing a venue already booked then."""
    session = form.instance
    if session.venue_id and session.status != Status.CANCELLED:
        exclude = {"exclude_activity_session": session} if session.pk else {}
        check_venue(session.venue, session.date, session.start_time, session.end_time, **exclude)
    created = session.pk is None
    session = form.save()
    session.log_action(
        actor,
        Action.CREATE if created else Action.UPDATE,
        request=request,
        changes=audit.form_changes(form),
    )
    return session
