"""The lectures app's part of the semester's figures (lectures, group activities,
publicity, feedback and coverage), for the read side to gather.

Plain numbers and rows only, no names of students; a fixed number of queries whatever
the size of the school. Every function takes a semester (which belongs to one school).
"""

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from counseling.models import SchoolClass
from lectures.coverage.services import coverage
from lectures.events.models import Status
from lectures.models import (
    ActivitySession,
    Award,
    BulletinIssue,
    Contest,
    ContestEntry,
    Feedback,
    Lecture,
    LectureSession,
    LetterReading,
    OpenLetter,
    SessionClass,
    StudentQuestion,
    ThemeMonth,
)


def _iso(day):
    return day.isoformat() if day else None


def class_sizes(semester):
    """{class id: (department name, enrolment year, active students)} for the school."""
    rows = (
        SchoolClass.objects.filter(department__school=semester.school)
        .annotate(n=Count("students", filter=Q(students__is_active=True)))
        .values_list("pk", "department__name", "enrolment_year", "n")
    )
    return {pk: (department, year, n) for pk, department, year, n in rows}


def grade_label(year):
    return _("Class of %(year)s") % {"year": year}


def lecture_figures(semester, sizes):
    lectures = Lecture.objects.for_semester(semester)
    totals = lectures.figures()
    held = (
        SessionClass.objects.filter(session__lecture__in=lectures, session__status=Status.HELD)
        .values_list("session__lecture_id", "school_class_id", "actual")
        .order_by()
    )
    reach = {}  # lecture id: {class ids}
    present = {}
    for lecture_id, class_id, actual in held:
        reach.setdefault(lecture_id, set()).add(class_id)
        present[lecture_id] = present.get(lecture_id, 0) + (actual or 0)
    rows = []
    for lecture in (
        lectures.exclude(status=Status.CANCELLED)
        .annotate(
            held=Count("sessions", filter=Q(sessions__status=Status.HELD)),
            first=Min("sessions__date", filter=~Q(sessions__status=Status.CANCELLED)),
            last=Max("sessions__date", filter=~Q(sessions__status=Status.CANCELLED)),
        )
        .order_by("first", "title", "pk")
        .values("pk", "title", "held", "first", "last")
    ):
        classes = reach.get(lecture["pk"], set())
        by_grade, by_department = {}, {}
        for class_id in classes:
            department, year, n = sizes.get(class_id, ("", 0, 0))
            for key, table in ((year, by_grade), (department, by_department)):
                cell = table.setdefault(key, {"classes": 0, "students": 0})
                cell["classes"] += 1
                cell["students"] += n
        rows.append(
            {
                "lecture_id": lecture["pk"],
                "title": lecture["title"],
                "first_date": _iso(lecture["first"]),
                "last_date": _iso(lecture["last"]),
                "sessions": lecture["held"],
                "attendance": present.get(lecture["pk"], 0),
                "classes": len(classes),
                "students": sum(sizes.get(c, ("", 0, 0))[2] for c in classes),
                "by_grade": [
                    {"grade": grade_label(year), **cell}
                    for year, cell in sorted(by_grade.items(), reverse=True)
                ],
                "by_department": [
                    {"department": name, **cell} for name, cell in sorted(by_department.items())
                ],
            }
        )
    reached = set().union(*reach.values()) if reach else set()
    values = {
        "lectures": totals["lectures"],
        "lectures_held": totals["lectures_held"],
        "sessions": totals["sessions_held"],
        "attendance": totals["attendance"],
        "classes_reached": len(reached),
        "students_reached": sum(sizes.get(c, ("", 0, 0))[2] for c in reached),
    }
    return values, rows


def activity_figures(semester):
    sessions = ActivitySession.objects.for_semester(semester)
    totals = sessions.figures()
    rows = [
        {
            "design": row["design__name"],
            "target_group": row["target_group"] or _("Classes"),
            "sessions": row["sessions"],
            "participants": row["participants"] or 0,
        }
        for row in sessions.filter(status=Status.HELD)
        .values("design__name", "target_group")
        .annotate(sessions=Count("pk"), participants=Sum("participants"))
        .order_by("design__name", "target_group")
    ]
    values = {
        "designs": len(totals["by_design"]),
        "sessions": totals["sessions"],
        "participants": totals["participants"],
    }
    return values, rows


def publicity_figures(semester):
    answered = Q(questions__answer__gt="")
    issues = list(
        BulletinIssue.objects.for_semester(semester)
        .annotate(answered=Count("questions", filter=answered))
        .order_by("shown_from", "pk")
        .values("theme", "shown_from", "answered")
    )
    asked = StudentQuestion.objects.filter(
        school=semester.school,
        asked_at__date__gte=semester.first_monday,
        asked_at__date__lte=semester.last_day,
    ).count()
    letters = list(
        OpenLetter.objects.for_semester(semester)
        .annotate(classes=Count("readings__school_class", distinct=True))
        .order_by("published_on", "pk")
        .values("title", "published_on", "classes")
    )
    letter_classes = (
        LetterReading.objects.filter(letter__semester=semester)
        .values("school_class")
        .distinct()
        .count()
    )
    months = list(
        ThemeMonth.objects.for_semester(semester)
        .annotate(n=Count("events"))
        .order_by("month", "pk")
        .values("theme", "month", "n")
    )
    contests = list(
        Contest.objects.filter(event__month__semester=semester)
        .annotate(
            entries_n=Count("entries", distinct=True), awards_n=Count("awards", distinct=True)
        )
        .order_by("event__date", "pk")
        .values("event__title", "event__date", "entries_n", "awards_n")
    )
    rows = (
        [
            {"kind": "bulletin", "title": i["theme"], "date": _iso(i["shown_from"])}
            | {"count": i["answered"], "awards": 0}
            for i in issues
        ]
        + [
            {"kind": "letter", "title": x["title"], "date": _iso(x["published_on"])}
            | {"count": x["classes"], "awards": 0}
            for x in letters
        ]
        + [
            {"kind": "theme_month", "title": m["theme"], "date": _iso(m["month"])}
            | {"count": m["n"], "awards": 0}
            for m in months
        ]
        + [
            {"kind": "contest", "title": c["event__title"], "date": _iso(c["event__date"])}
            | {"count": c["entries_n"], "awards": c["awards_n"]}
            for c in contests
        ]
    )
    values = {
        "bulletin_issues": len(issues),
        "questions": asked,
        "questions_answered": sum(i["answered"] for i in issues),
        "open_letters": len(letters),
        "letter_classes": letter_classes,
        "theme_months": len(months),
        "theme_events": sum(m["n"] for m in months),
        "contest_entries": sum(c["entries_n"] for c in contests),
        "awards": sum(c["awards_n"] for c in contests),
    }
    return values, rows


def _average(value):
    return round(value, 2) if value is not None else None


def feedback_figures(semester):
    data = Feedback.objects.semester_figures(semester)
    rows = [
        {
            "kind": "lecture",
            "title": r["title"],
            "answers": r["answers"],
            "average": _average(r["average"]),
        }
        for r in data["by_lecture"]
    ] + [
        {
            "kind": "activity",
            "title": r["name"],
            "answers": r["answers"],
            "average": _average(r["average"]),
        }
        for r in data["by_design"]
    ]
    values = {
        "answers": data["answers"],
        "average": _average(data["average"]),
        "lecture_answers": sum(r["answers"] for r in data["by_lecture"]),
        "activity_answers": sum(r["answers"] for r in data["by_design"]),
    }
    return values, rows


def coverage_figures(semester):
    data = coverage(semester)
    rows = [{"class": c["name"], "department": c["department"]} for c in data["not_reached"]]
    values = {
        "classes": data["classes"],
        "classes_reached": data["classes_reached"],
        "classes_uncovered": len(data["not_reached"]),
    }
    return values, rows


def semester_figures(semester):
    """{section: (values, table rows)} for the lectures app's sections."""
    sizes = class_sizes(semester)
    return {
        "lectures": lecture_figures(semester, sizes),
        "activities": activity_figures(semester),
        "publicity": publicity_figures(semester),
        "feedback": feedback_figures(semester),
        "coverage": coverage_figures(semester),
    }


def held_events_of_classes(semester, class_ids):
    """Lecture and activity sessions held this semester for some classes (a teacher's or a
    liaison's home page): sessions, attendance (present) and activity participants."""
    lecture = SessionClass.objects.filter(
        session__lecture__semester=semester,
        session__status=Status.HELD,
        school_class__in=class_ids,
    ).aggregate(sessions=Count("session", distinct=True), attendance=Sum("actual"))
    activity = ActivitySession.objects.filter(
        semester=semester, status=Status.HELD, school_class__in=class_ids
    ).aggregate(sessions=Count("pk"), participants=Sum("participants"))
    return {
        "lecture_sessions": lecture["sessions"],
        "lecture_attendance": lecture["attendance"] or 0,
        "activity_sessions": activity["sessions"],
        "activity_participants": activity["participants"] or 0,
    }


def events_in_week(semester, week):
    """Lecture and activity sessions (not cancelled) in one teaching week."""
    start, end = semester.week_start(week), semester.week_end(week)
    lecture_rows = list(
        LectureSession.objects.filter(lecture__semester=semester, date__range=(start, end))
        .exclude(status=Status.CANCELLED)
        .order_by("date", "start_time")
        .values("pk", "lecture__title", "number", "date", "start_time", "status")
    )
    activity_rows = list(
        ActivitySession.objects.filter(semester=semester, date__range=(start, end))
        .exclude(status=Status.CANCELLED)
        .order_by("date", "start_time")
        .values("pk", "design__name", "date", "start_time", "status")
    )
    return lecture_rows, activity_rows


# --- The records behind the figures (the read side's list pages) ------------------------
# `classes` is a queryset of the classes the reader may see (all of the school for the
# whole-school roles, its department's or its own class otherwise); `whole_school` keeps
# school-wide events (no class) in the list.


def session_records(user, semester, classes, *, whole_school):
    """Held lecture sessions with the classes and the students present among `classes`."""
    mine = Q(classes__school_class__in=classes)
    sessions = LectureSession.objects.filter(
        lecture__in=Lecture.objects.visible_to(user).for_semester(semester),
        status=Status.HELD,
    )
    if not whole_school:
        sessions = sessions.filter(
            Exists(SessionClass.objects.filter(session=OuterRef("pk"), school_class__in=classes))
        )
    return (
        sessions.annotate(
            class_count=Count("classes", filter=mine, distinct=True),
            present=Sum("classes__actual", filter=mine),
        )
        .select_related("lecture", "venue")
        .order_by("date", "start_time", "pk")
    )


def activity_records(user, semester, classes, *, whole_school):
    """Held group activity sessions (a class's, or for a target group when whole_school)."""
    sessions = ActivitySession.objects.visible_to(user).for_semester(semester)
    sessions = sessions.filter(status=Status.HELD)
    if whole_school:
        sessions = sessions.filter(Q(school_class__isnull=True) | Q(school_class__in=classes))
    else:
        sessions = sessions.filter(school_class__in=classes)
    return sessions.select_related("design", "school_class").order_by("date", "start_time", "pk")


def contest_entry_records(user, semester, classes):
    """Contest entries of the semester's theme months (never who submitted them)."""
    return (
        ContestEntry.objects.filter(
            contest__event__month__in=ThemeMonth.objects.visible_to(user).for_semester(semester),
            school_class__in=classes,
        )
        .select_related("contest__event", "school_class")
        .annotate(award_count=Count("awards"))
        .order_by("contest__event__date", "contest_id", "code")
    )


def award_records(user, semester, classes):
    return (
        Award.objects.filter(
            contest__event__month__in=ThemeMonth.objects.visible_to(user).for_semester(semester),
            entry__school_class__in=classes,
        )
        .select_related("contest__event", "entry__school_class")
        .order_by("contest__event__date", "rank", "pk")
    )


def feedback_records(user, semester):
    """Answers and average per lecture and per activity design (anonymous counts only)."""
    lectures = Lecture.objects.visible_to(user).for_semester(semester)
    sessions = ActivitySession.objects.visible_to(user).for_semester(semester)
    return Feedback.objects.semester_figures(
        semester, lectures=lectures, activity_sessions=sessions
    )
