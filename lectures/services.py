"""Actions over lectures, activities and publicity: each atomic and recorded."""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.http import client_ip
from counseling.models import Role, SchoolClass
from counseling.notifications import notify
from counseling.ratelimit import is_limited
from lectures.models import (
    ActivitySession,
    ContestEntry,
    Feedback,
    Lecture,
    LectureSession,
    LetterReading,
    Score,
    SessionClass,
    ThemeEvent,
    Venue,
)
from lectures.models.lectures import Status

Action = audit.AuditEntry.Action


# --- Venues and splitting classes --------------------------------------------------------


def venue_conflicts(
    venue, date, start, end, *, exclude_lecture_session=None, exclude_activity_session=None
):
    """Sessions already booked in the venue at an overlapping time (cancelled ones free it)."""
    overlap = Q(venue=venue, date=date, start_time__lt=end, end_time__gt=start) & ~Q(
        status=Status.CANCELLED
    )
    lectures = LectureSession.objects.filter(overlap)
    if exclude_lecture_session is not None:
        lectures = lectures.exclude(pk=exclude_lecture_session.pk)
    activities = ActivitySession.objects.filter(overlap)
    if exclude_activity_session is not None:
        activities = activities.exclude(pk=exclude_activity_session.pk)
    events = ThemeEvent.objects.filter(
        venue=venue, date=date, start_time__lt=end, end_time__gt=start
    )
    return [*lectures.select_related("lecture"), *activities.select_related("design"), *events]


def check_venue(venue, date, start, end, **exclude):
    """Refuse a double booking. Call inside a transaction: the venue row is locked so that two
    counselors booking the same slot at once cannot both succeed."""
    Venue.objects.select_for_update().get(pk=venue.pk)
    clash = venue_conflicts(venue, date, start, end, **exclude)
    if clash:
        raise PortalError(
            "venue_taken",
            _("%(venue)s is already booked then: %(what)s.")
            % {"venue": venue.name, "what": clash[0]},
        )


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


@transaction.atomic
def create_series(lecture, actor, *, slots, venue, classes=None, request=None):
    """Create the lecture's sessions in one step: `slots` is a list of (date, start, end);
    the target classes are split across them, each session within the venue's seats."""
    classes = list(
        classes if classes is not None else lecture.target_classes().select_related("department")
    )
    if not classes:
        raise PortalError("no_classes", _("The audience has no classes."))
    bins = split_classes(classes, len(slots), venue.capacity)
    first = (lecture.sessions.aggregate(n=Max("number"))["n"] or 0) + 1
    created = []
    for offset, ((date, start, end), group) in enumerate(zip(slots, bins, strict=True)):
        if end <= start:
            raise PortalError("bad_time", _("A session must end after it starts."))
        if not lecture.semester.contains(date):
            raise PortalError("outside", _("%(date)s is outside the semester.") % {"date": date})
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
    """Plan, hold or cancel a lecture or a session (a cancelled lecture cancels its sessions)."""
    if status not in Status.values:
        raise PortalError("status", _("Unknown status."))
    if (
        isinstance(obj, LectureSession)
        and obj.status == Status.CANCELLED
        and status == Status.PLANNED
    ):
        # A cancelled session gave its venue up: planning it again must book it again.
        check_venue(obj.venue, obj.date, obj.start_time, obj.end_time, exclude_lecture_session=obj)
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


# --- Coverage --------------------------------------------------------------------------


def classes_reached(semester):
    """Class ids reached this semester by a held lecture session, a held activity session
    for a class, or a theme-month event the class took part in."""
    lecture = SessionClass.objects.filter(
        session__lecture__semester=semester, session__status=Status.HELD
    ).values_list("school_class_id", flat=True)
    activity = ActivitySession.objects.filter(
        semester=semester, status=Status.HELD, school_class__isnull=False
    ).values_list("school_class_id", flat=True)
    events = ThemeEvent.classes.through.objects.filter(
        themeevent__month__semester=semester
    ).values_list("schoolclass_id", flat=True)
    return set(lecture) | set(activity) | set(events)


def coverage(semester):
    """Reach against the roster: classes and students reached per department and grade,
    and the classes reached by nothing this semester."""
    reached = classes_reached(semester)
    classes = list(
        SchoolClass.objects.active()
        .filter(department__school=semester.school)
        .select_related("department")
        .annotate(n=Count("students", filter=Q(students__is_active=True)))
        .order_by("department__name", "-enrolment_year", "name")
    )
    on = semester.first_monday
    by_department, by_grade = {}, {}
    for cls in classes:
        for key, table in ((cls.department.name, by_department), (cls.grade(on), by_grade)):
            row = table.setdefault(
                key, {"classes": 0, "classes_reached": 0, "students": 0, "students_reached": 0}
            )
            row["classes"] += 1
            row["students"] += cls.n
            if cls.pk in reached:
                row["classes_reached"] += 1
                row["students_reached"] += cls.n
    return {
        "by_department": by_department,
        "by_grade": dict(sorted(by_grade.items())),
        "not_reached": [c for c in classes if c.pk not in reached],
        "classes": len(classes),
        "classes_reached": sum(1 for c in classes if c.pk in reached),
        "students": sum(c.n for c in classes),
        "students_reached": sum(c.n for c in classes if c.pk in reached),
    }


def series_reach(lecture):
    """Classes and students one lecture reached, from its held sessions."""
    rows = SessionClass.objects.filter(session__lecture=lecture, session__status=Status.HELD)
    return rows.aggregate(classes=Count("school_class", distinct=True), students=Sum("actual"))


# --- Publicity -------------------------------------------------------------------------


@transaction.atomic
def confirm_letter_read(letter, school_class, user, *, request=None):
    try:
        with transaction.atomic():
            reading = LetterReading.objects.create(
                letter=letter, school_class=school_class, confirmed_by=user
            )
    except IntegrityError:
        return None
    audit.record(
        user, Action.UPDATE, letter, request=request, changes={"read_in": str(school_class)}
    )
    return reading


def letter_unread_classes(letter):
    read = LetterReading.objects.filter(letter=letter).values("school_class")
    return (
        SchoolClass.objects.active()
        .filter(department__school=letter.school)
        .exclude(pk__in=read)
        .select_related("department")
    )


def contest_results(contest):
    """Entries ranked by their mean total over the current judges who scored every
    criterion; entries not yet scored by every judge come after the fully judged ones."""
    criteria = list(contest.criteria.all())
    judges = list(contest.judges.all())
    scores = {}
    rows = Score.objects.filter(entry__contest=contest, judge__in=judges)
    for entry_id, judge_id, points in rows.values_list("entry_id", "judge_id", "points"):
        scores.setdefault(entry_id, {}).setdefault(judge_id, []).append(points)
    results = []
    for entry in contest.entries.select_related("school_class"):
        totals = [sum(p) for p in scores.get(entry.pk, {}).values() if len(p) == len(criteria)]
        results.append(
            {
                "entry": entry,
                "judged_by": len(totals),
                "complete": len(totals) == len(judges) > 0,
                "mean": sum(totals) / len(totals) if totals else None,
            }
        )
    results.sort(
        key=lambda r: (not r["complete"], r["mean"] is None, -(r["mean"] or 0), r["entry"].code)
    )
    return {"results": results, "judges": judges, "criteria": criteria}


@transaction.atomic
def score_entry(entry, judge, points_by_criterion):
    """A judge's scores for one entry (judges never see the entry's class)."""
    contest = entry.contest
    if not contest.judges.filter(pk=judge.pk).exists():
        raise PortalError("not_judge", _("You are not a judge of this contest."))
    criteria = {c.pk: c for c in contest.criteria.all()}
    if set(points_by_criterion) != set(criteria):
        raise PortalError("incomplete", _("Score every criterion."))
    for pk, points in points_by_criterion.items():
        if points is None or not 0 <= points <= criteria[pk].max_points:
            raise PortalError(
                "range",
                _("%(name)s takes 0 to %(max)s points.")
                % {"name": criteria[pk].name, "max": criteria[pk].max_points},
            )
    for pk, points in points_by_criterion.items():
        Score.objects.update_or_create(
            entry=entry, judge=judge, criterion_id=pk, defaults={"points": points}
        )


def entries_for_judge(contest, judge):
    """What a judge sees: codes and titles only."""
    return ContestEntry.objects.filter(contest=contest).only(
        "pk", "code", "title", "file", "contest_id"
    )


# --- Feedback --------------------------------------------------------------------------

# Answers per address (counseling.ratelimit; settings.RATE_LIMITS["feedback"] overrides). A
# lecture hall on school Wi-Fi may share one address, so the limit stops a script, not a
# hall of 500 answering within minutes.
FEEDBACK_RATE = "300/m"


def device_fingerprint(cookie_value):
    """A keyed hash of the random device cookie: stable per device, not reversible."""
    key = hashlib.sha256(("feedback:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, cookie_value.encode(), hashlib.sha256).hexdigest()


def device_signal(request):
    """A keyed hash of the client address and browser string: what stays the same when a
    script or a private window throws the device cookie away."""
    key = hashlib.sha256(("feedback-signal:" + settings.SECRET_KEY).encode()).digest()
    raw = f"{client_ip(request) or ''}|{request.META.get('HTTP_USER_AGENT', '')[:400]}"
    return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()


def rate_limited(request):
    """True once the client's address has sent more answers than FEEDBACK_RATE allows."""
    return is_limited(request, "feedback", FEEDBACK_RATE, key="ip")


def submit_feedback(target, device, satisfaction, helped="", wish="", signal=""):
    """One anonymous answer per device per session; returns False if it already answered."""
    if satisfaction not in range(1, 6):
        raise PortalError("satisfaction", _("Choose from 1 to 5."))
    fields = (
        {"lecture_session": target}
        if isinstance(target, LectureSession)
        else {"activity_session": target}
    )
    try:
        with transaction.atomic():
            Feedback.objects.create(
                satisfaction=satisfaction,
                helped=helped.strip()[:1000],
                wish=wish.strip()[:1000],
                device=device,
                signal=signal,
                **fields,
            )
    except IntegrityError:
        return False
    return True
