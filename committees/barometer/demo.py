"""Demo data for the barometer: twelve weeks of filings, and the alerts the rules raise."""

import datetime
import random

from django.utils import timezone

from committees.barometer import services
from committees.barometer.models import (
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
    ConcernKind,
    Weather,
)
from committees.network.models import CommitteeMember
from counseling.models import SchoolClass, Semester, Student


def load_barometers(school):
    """Twelve weeks of barometers: mostly calm, some late, some missing, a class away on
    internship, a student named week after week, and an open red alert."""
    semester = Semester.objects.current(school)
    if semester is None or Barometer.objects.filter(semester=semester).exists():
        return
    rng = random.Random(11)
    config = BarometerSettings.for_school(school)
    classes = list(
        SchoolClass.objects.filter(department__school=school)
        .select_related("department")
        .order_by("pk")
    )
    away = next(c for c in classes if c.enrolment_year == 2024)
    ClassAbsence.objects.create(
        school_class=away,
        kind=ClassAbsence.Kind.INTERNSHIP,
        starts_on=datetime.date(2026, 10, 19),
        ends_on=datetime.date(2027, 1, 15),
        note="顶岗实习（合作企业）",
    )
    members = {
        m.school_class_id: m.student.user
        for m in CommitteeMember.objects.filter(semester=semester).select_related("student__user")
    }
    now = timezone.now()
    weeks = services.due_weeks(semester, now)
    focus = classes[0]  # `teacher`'s class, where `member` files: left for the rules below
    storm_class = classes[11]  # a first-year class of the second department
    expected = services.expected_pairs(semester, classes, weeks)
    barometers, concerns = [], []
    for cls in classes:
        for week in weeks:
            if (cls.pk, week) not in expected or cls in (focus, storm_class) and week >= weeks[-3]:
                continue
            if rng.random() < 0.04:
                continue  # missing
            deadline = config.deadline(semester, week)
            late = rng.random() < 0.06
            submitted = (
                deadline + datetime.timedelta(hours=5)
                if late
                else deadline - datetime.timedelta(days=3)
            )
            weather = rng.choices([1, 2, 3, 4], weights=[45, 35, 15, 5])[0]
            barometers.append(
                Barometer(
                    semester=semester,
                    school_class=cls,
                    week=week,
                    weather=weather,
                    nothing_to_report=weather == 1 and rng.random() < 0.5,
                    filed_by=members[cls.pk],
                    submitted_at=submitted,
                    late=late,
                )
            )
    Barometer.objects.bulk_create(barometers)
    for b in Barometer.objects.filter(semester=semester).exclude(nothing_to_report=True):
        for kind in rng.sample(ConcernKind.values, k=rng.randint(0, 3)):
            n = rng.randint(1, 4)
            if kind == ConcernKind.HOMESICK and b.school_class.enrolment_year == 2026:
                n += 2
            concerns.append(BarometerConcern(barometer=b, kind=kind, count=n))
    BarometerConcern.objects.bulk_create(concerns)

    # The last three weeks of two classes go through the real rules, so their alerts are real.
    student = Student.objects.filter(school_class=focus, user__isnull=True).order_by(
        "student_number"
    )[3]
    for n, week in enumerate(weeks[-3:]):
        when = config.deadline(semester, week) - datetime.timedelta(days=2)
        filing = services.Filing(
            weather=[Weather.PARTLY_CLOUDY, Weather.OVERCAST, Weather.RAIN][n],
            concerns={ConcernKind.HOMESICK: 3 + n, ConcernKind.STUDY: 2},
            students=[
                (
                    student,
                    ConcernKind.HOMESICK,
                    ["watch", "close", "close"][n],
                    "想家，常一个人待在宿舍，吃饭少。",
                )
            ],
            suggestions=["专业课作业量偏大，希望老师分层布置。"] if n == 2 else [],
            note="新生适应期，外地同学想家明显。",
        )
        services.file_barometer(members[focus.pk], focus, semester, week, filing, now=when)
    for n, week in enumerate(weeks[-3:]):
        when = config.deadline(semester, week) - datetime.timedelta(days=2)
        filing = services.Filing(
            weather=[Weather.SUNNY, Weather.PARTLY_CLOUDY, Weather.STORM][n],
            concerns={ConcernKind.RELATIONSHIPS: 5} if n == 2 else {},
            note="宿舍同学发生激烈冲突，一名同学情绪失控。" if n == 2 else "",
        )
        services.file_barometer(
            members[storm_class.pk], storm_class, semester, week, filing, now=when
        )
    services.check_missing(semester, now)
