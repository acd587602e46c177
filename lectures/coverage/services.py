"""Reach against the roster: which classes a semester's lectures, group activities and
theme-month events reached, per department and grade."""

from django.db.models import Count

from counseling.models import SchoolClass, Student
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
    # One round trip, each class once (a 600-class school's lectures list every class).
    return set(lecture.order_by().union(activity.order_by(), events.order_by()))


def coverage(semester):
    """Reach against the roster: classes and students reached per department and grade,
    and the classes reached by nothing this semester ({"name", "department"} rows)."""
    reached = classes_reached(semester)
    # Plain rows and the roster counted in its own grouped query: at a 600-class school the
    # classes as instances joined to their students took most of the coverage page's time.
    classes = (
        SchoolClass.objects.active()
        .filter(department__school=semester.school)
        .order_by("department__name", "-enrolment_year", "name")
        .values_list("pk", "name", "department__name", "enrolment_year")
    )
    sizes = dict(
        Student.objects.filter(school=semester.school, is_active=True)
        .order_by()
        .values("school_class_id")
        .annotate(n=Count("pk"))
        .values_list("school_class_id", "n")
    )
    on = semester.first_monday
    grades = {}
    by_department, by_grade = {}, {}
    not_reached = []
    totals = {"classes": 0, "classes_reached": 0, "students": 0, "students_reached": 0}
    for pk, name, department, year in classes:
        if year not in grades:
            grades[year] = SchoolClass(enrolment_year=year).grade(on)
        n = sizes.get(pk, 0)
        is_reached = pk in reached
        if not is_reached:
            not_reached.append({"name": name, "department": department})
        for row in (
            by_department.setdefault(department, dict.fromkeys(totals, 0)),
            by_grade.setdefault(grades[year], dict.fromkeys(totals, 0)),
            totals,
        ):
            row["classes"] += 1
            row["students"] += n
            if is_reached:
                row["classes_reached"] += 1
                row["students_reached"] += n
    return {
        "by_department": by_department,
        "by_grade": dict(sorted(by_grade.items())),
        "not_reached": not_reached,
        **totals,
    }
