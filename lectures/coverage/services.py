"""Reach against the roster: which classes a semester's lectures, group activities and
theme-month events reached, per department and grade."""

from django.db.models import Count, Q

from counseling.models import SchoolClass
from lectures.activities.models import ActivitySession
from lectures.events.models import SessionClass, Status
from lectures.publicity.models import ThemeEvent


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
