"""Actions over lectures and their sessions: booking venues, planning a series in one step
(and its preview), moving a session, recording attendance, changing a status, reminders.

Each action is one function holding all of its checks, atomic and recorded; the preview
makes the same checks in the same words, so a preview that passes is a save that passes
(barring a booking made in between, which check_venue still refuses under its lock).
"""

import datetime

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.models import Role, SchoolClass
from counseling.notifications import notify
from lectures.activities.models import ActivitySession
from lectures.events.models import Lecture, LectureSession, SessionClass, Status, Venue
from lectures.publicity.models import ThemeEvent

Action = audit.AuditEntry.Action
MAX_SESSIONS = 20


# --- Venues ------------------------------------------------------------------------------


def venue_conflicts(venue, date, start, end, *, exclude=None):
    """What is already booked in the venue at an overlapping time: lecture and activity
    sessions (cancelled ones free it) and theme-month events. `exclude` is the booking
    being moved, which does not clash with itself."""
    overlap = Q(venue=venue, date=date, start_time__lt=end, end_time__gt=start)
    held_or_planned = overlap & ~Q(status=Status.CANCELLED)
    bookings = [
        LectureSession.objects.filter(held_or_planned).select_related("lecture"),
        ActivitySession.objects.filter(held_or_planned).select_related("design"),
        ThemeEvent.objects.filter(overlap),
    ]
    if exclude is not None and exclude.pk is not None:
        bookings = [
            qs.exclude(pk=exclude.pk) if qs.model is type(exclude) else qs for qs in bookings
        ]
    return [booking for qs in bookings for booking in qs]


def check_venue(venue, date, start, end, *, exclude=None):
    """Refuse a double booking. Call inside a transaction: the venue row is locked so that two
    counselors booking the same slot at once cannot both succeed."""
    Venue.objects.select_for_update().get(pk=venue.pk)
    clash = venue_conflicts(venue, date, start, end, exclude=exclude)
    if clash:
        raise PortalError(
            "venue_taken",
            _("%(venue)s is already booked then: %(what)s.")
            % {"venue": venue.name, "what": clash[0]},
        )


# --- Splitting an audience over sessions ---------------------------------------------------


def class_sizes(classes):
    """Active students per class, in one query."""
    rows = (
        SchoolClass.objects.filter(pk__in=[c.pk for c in classes])
        .annotate(n=Count("students", filter=Q(students__is_active=True)))
        .values_list("pk", "n")
    )
    return dict(rows)


def split_classes(classes, sessions, capacity):
    """Spread whole classes over `sessions` so that each fits the venue and seats are
    balanced. Returns a list of lists of (class, size). Raises PortalError when it cannot fit.

    Largest class first into the session with the most seats left: simple, and for classes
    of similar size (a school's usual case) within one class of the best balance.
    """
    if sessions < 1:
        raise PortalError("sessions", _("A lecture has at least one session."))
    if sessions > len(classes):
        raise PortalError(
            "too_few_classes",
            _("%(n)s sessions for %(c)s classes would leave a session empty.")
            % {"n": sessions, "c": len(classes)},
        )
    sizes = class_sizes(classes)
    items = sorted(
        ((c, sizes.get(c.pk, 0)) for c in classes), key=lambda item: (-item[1], item[0].name)
    )
    too_big = [c for c, n in items if n > capacity]
    if too_big:
        raise PortalError(
            "class_too_big",
            _("%(cls)s has more students than the venue's %(cap)s seats.")
            % {"cls": too_big[0], "cap": capacity},
        )
    total = sum(n for _c, n in items)
    if total > sessions * capacity:
        raise PortalError(
            "too_many",
            _(
                "%(total)s students do not fit into %(n)s sessions of %(cap)s seats; add sessions or pick a larger venue."
            )
            % {"total": total, "n": sessions, "cap": capacity},
        )
    bins = [[] for _ in range(sessions)]
    seats = [0] * sessions
    for cls, n in items:
        fitting = [i for i in range(sessions) if seats[i] + n <= capacity]
        if not fitting:
            raise PortalError(
                "no_fit",
                _(
                    "The classes cannot be split into %(n)s sessions of %(cap)s seats without breaking a class; add a session."
                )
                % {"n": sessions, "cap": capacity},
            )
        best = min(fitting, key=lambda i: (seats[i], i))
        bins[best].append((cls, n))
        seats[best] += n
    return bins


# --- Planning a series ---------------------------------------------------------------------


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
    """Each slot ends after it starts, lies in the semester and overlaps no other slot."""
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


def _check_series(lecture, slots, classes):
    """What create_series and preview_series both refuse before anything is split."""
    check_slots(lecture, slots)
    if not classes:
        raise PortalError("no_classes", _("The audience has no classes."))
    if len(slots) > len(classes):
        raise PortalError(
            "more_sessions",
            _("%(n)s sessions for %(c)s classes would leave a session empty; use fewer sessions.")
            % {"n": len(slots), "c": len(classes)},
        )


def _audience(lecture, classes):
    if classes is None:
        classes = lecture.target_classes().select_related("department")
    return list(classes)


def preview_series(lecture, *, slots, venue, classes=None):
    """What create_series would make, without writing: the classes of each session, its seats
    against the venue's, and any booking already in the way. Raises PortalError as it would."""
    classes = _audience(lecture, classes)
    _check_series(lecture, slots, classes)
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


@transaction.atomic
def create_series(lecture, actor, *, slots, venue, classes=None, request=None):
    """Create the lecture's sessions in one step: `slots` is a list of (date, start, end);
    the classes (the lecture's audience unless given) are split across them, each session
    within the venue's seats. Nothing is written unless every session can be: no empty
    session, no slot outside the semester, no venue booked twice."""
    classes = _audience(lecture, classes)
    _check_series(lecture, slots, classes)
    bins = split_classes(classes, len(slots), venue.capacity)
    first = (lecture.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    created = []
    for offset, ((date, start, end), group) in enumerate(zip(slots, bins, strict=True)):
        check_venue(venue, date, start, end)
        session = LectureSession.objects.create(
            lecture=lecture,
            number=first + offset,
            date=date,
            start_time=start,
            end_time=end,
            venue=venue,
        )
        SessionClass.objects.bulk_create(
            SessionClass(session=session, school_class=cls, expected=n) for cls, n in group
        )
        created.append(session)
    lecture.log_action(
        actor, Action.UPDATE, request=request, changes={"sessions_created": len(created)}
    )
    return created


# --- Changing a session ----------------------------------------------------------------------


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
    check_venue(venue, date, start, end, exclude=session)
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
def record_session(session, actor, *, actual_by_class=None, total=None, notes=None, request=None):
    """After a session: present per class, or one total spread over nothing (kept on the
    session's classes as given). Marks the session and, when all are done, the lecture held."""
    if session.status == Status.CANCELLED:
        raise PortalError("cancelled", _("The session was cancelled."))
    if session.date > timezone.localdate():
        raise PortalError("future", _("Attendance is recorded on the day or afterwards."))
    rows = {row.school_class_id: row for row in session.classes.all()}
    if actual_by_class:
        for class_id, n in actual_by_class.items():
            if class_id not in rows:
                raise PortalError("class", _("That class does not attend this session."))
            if n is None or n < 0:
                raise PortalError("count", _("Give a number of students present."))
            if n > max(rows[class_id].expected * 2, rows[class_id].expected + 20):
                raise PortalError(
                    "count",
                    _("%(n)s present is far more than the class's %(e)s.")
                    % {"n": n, "e": rows[class_id].expected},
                )
            rows[class_id].actual = n
        SessionClass.objects.bulk_update(rows.values(), ["actual"])
    elif total is not None:
        if not rows:
            raise PortalError("no_classes", _("The session has no classes to count."))
        expected = sum(r.expected for r in rows.values()) or 1
        if total < 0:
            raise PortalError("count", _("Give a number of students present."))
        # A head count for the hall: shared out by class size, so per-class figures stay usable.
        remaining = total
        ordered = list(rows.values())
        for i, row in enumerate(ordered):
            share = remaining if i == len(ordered) - 1 else round(total * row.expected / expected)
            row.actual = max(0, min(share, remaining))
            remaining -= row.actual
        SessionClass.objects.bulk_update(ordered, ["actual"])
    if notes is not None:
        session.notes = notes
    session.status = Status.HELD
    session.save()
    lecture = session.lecture
    if (
        not lecture.sessions.filter(status=Status.PLANNED).exists()
        and lecture.status == Status.PLANNED
    ):
        lecture.status = Status.HELD
        lecture.save(update_fields=["status", "updated_at"])
    session.log_action(
        actor, Action.UPDATE, request=request, changes={"attendance": session.actual}
    )


@transaction.atomic
def set_status(obj, status, actor, *, request=None):
    """Plan, hold or cancel a lecture, a lecture session or an activity session.

    A cancelled lecture cancels its sessions not yet held. A cancelled session planned or
    held again must find its venue still free: cancelling freed the slot, and someone may
    have booked it since.
    """
    if status not in Status.values:
        raise PortalError("status", _("Unknown status."))
    if (
        isinstance(obj, LectureSession | ActivitySession)
        and obj.status == Status.CANCELLED
        and status != Status.CANCELLED
        and obj.venue_id
    ):
        check_venue(obj.venue, obj.date, obj.start_time, obj.end_time, exclude=obj)
    obj.status = status
    obj.save(update_fields=["status", "updated_at"])
    if isinstance(obj, Lecture) and status == Status.CANCELLED:
        obj.sessions.exclude(status=Status.HELD).update(status=Status.CANCELLED)
    obj.log_action(actor, Action.UPDATE, request=request, changes={"status": status})


def send_reminders(on=None):
    """The day before a session: the attending classes' teachers and members, the speaker."""
    today = on or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    sent = 0
    due = LectureSession.objects.filter(
        date=tomorrow, status=Status.PLANNED, reminder_sent_at__isnull=True
    ).select_related("lecture", "venue")
    for session in due:
        with transaction.atomic():
            locked = (
                LectureSession.objects.select_for_update()
                .filter(pk=session.pk, reminder_sent_at__isnull=True)
                .first()
            )
            if locked is None:
                continue
            classes = SchoolClass.objects.filter(
                pk__in=session.classes.values("school_class")
            ).select_related("class_teacher")
            users = {c.class_teacher for c in classes if c.class_teacher_id}
            users.update(
                r.user
                for r in Role.objects.current()
                .filter(kind=Role.Kind.COMMITTEE_MEMBER, school_class__in=classes)
                .select_related("user")
            )
            if session.lecture.speaker_user_id:
                users.add(session.lecture.speaker_user)
            notify(
                sorted(users, key=lambda u: u.pk),
                "lectures.session_reminder",
                _("Tomorrow: lecture 《%(title)s》, session %(n)s, %(time)s, %(venue)s")
                % {
                    "title": session.lecture.title,
                    "n": session.number,
                    "time": session.start_time.strftime("%H:%M"),
                    "venue": session.venue.name,
                },
                url=reverse("lectures:lecture-detail", args=[session.lecture_id]),
            )
            locked.reminder_sent_at = timezone.now()
            locked.save(update_fields=["reminder_sent_at"])
            sent += 1
    return sent


def series_reach(lecture):
    """Classes and students one lecture reached, from its held sessions."""
    rows = SessionClass.objects.filter(session__lecture=lecture, session__status=Status.HELD)
    return rows.aggregate(classes=Count("school_class", distinct=True), students=Sum("actual"))
