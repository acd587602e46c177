"""A small school of its own for the week board, trend and export tests, on a fixed clock.

The semester starts on Monday 31 August 2026; week 5 is a holiday. `NOW` is the Wednesday
of week 13, so weeks 1–4 and 6–12 are due (their deadline, Monday 12:00 of the next week,
has passed) and week 13 is still open.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from committees.models import (
    Alert,
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
    CommitteeMember,
)
from counseling.models import Role, SchoolClass
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterBreakFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)  # week 13, a Wednesday
DUE = [1, 2, 3, 4, 6, 7, 8, 9, 10, 11, 12]


class World:
    def __init__(self, classes=4):
        self.school = SchoolFactory()
        self.semester = SemesterFactory(
            school=self.school, first_monday=datetime.date(2026, 8, 31), weeks=20
        )
        SemesterBreakFactory(semester=self.semester, first_week=5, last_week=5)
        self.department = DepartmentFactory(school=self.school, name="甲科")
        self.other_department = DepartmentFactory(school=self.school, name="乙科")
        self.teacher = UserFactory(username="w-teacher")
        self.classes = [
            SchoolClassFactory(
                department=self.department,
                name=f"2026级甲{n + 1}班",
                class_teacher=self.teacher if n == 0 else None,
            )
            for n in range(classes)
        ]
        self.elsewhere = SchoolClassFactory(department=self.other_department, name="2026级乙1班")
        self.filer = UserFactory(username="w-filer", full_name="委员")
        self.counselor = self.user("w-counselor", Role.Kind.COUNSELOR, is_head=True)
        self.principal = self.user("w-principal", Role.Kind.SCHOOL_ADMIN)
        self.liaison = self.user("w-liaison", Role.Kind.LIAISON, department=self.department)
        self.rules = BarometerSettings.for_school(self.school)

    def user(self, username, kind, **extra):
        user = UserFactory(username=username)
        RoleFactory(user=user, school=self.school, kind=kind, **extra)
        return user

    def deadline(self, week):
        return self.rules.deadline(self.semester, week)

    def file(self, cls, week, weather=1, *, late=False, concerns=None, **extra):
        submitted = self.deadline(week) + datetime.timedelta(hours=3 if late else -48)
        barometer = Barometer.objects.create(
            semester=self.semester,
            school_class=cls,
            week=week,
            weather=weather,
            filed_by=self.filer,
            submitted_at=submitted,
            late=late,
            **extra,
        )
        BarometerConcern.objects.bulk_create(
            BarometerConcern(barometer=barometer, kind=k, count=n)
            for k, n in (concerns or {}).items()
        )
        return barometer

    def away(self, cls, first_week, last_week, kind=ClassAbsence.Kind.INTERNSHIP):
        return ClassAbsence.objects.create(
            school_class=cls,
            kind=kind,
            starts_on=self.semester.week_start(first_week),
            ends_on=self.semester.week_end(last_week),
        )

    def alert(self, cls, key, grade=Alert.Grade.ORANGE, status=Alert.Status.OPEN, **extra):
        return Alert.objects.create(
            school=self.school,
            semester=self.semester,
            school_class=cls,
            rule=Alert.Rule.MISSING,
            grade=grade,
            key=key,
            status=status,
            outcome="done" if status == Alert.Status.CLOSED else "",
            **extra,
        )

    def member(self, cls, appointed_on=None, *, semester=None, role=False, **extra):
        """A member of `cls` (in `semester`, the world's by default) with an account; `role`
        gives the account the member's role too, for pages that look at roles (home, menus),
        as appointing does."""
        semester = semester or self.semester
        student = StudentFactory(school_class=cls, school=self.school)
        student.user = UserFactory()
        student.save()
        if role:
            RoleFactory(
                user=student.user,
                kind=Role.Kind.COMMITTEE_MEMBER,
                school=self.school,
                school_class=cls,
            )
        return CommitteeMember.objects.create(
            semester=semester,
            school_class=cls,
            student=student,
            appointed_on=appointed_on or semester.first_monday,
            **extra,
        )

    def bulk_classes(self, n, prefix="批量", department=None):
        """n more classes, each with a filed barometer for week 12 (some late), an open
        alert, and every tenth one away: what the board must show without more queries."""
        department = department or self.department
        SchoolClass.objects.bulk_create(
            SchoolClass(department=department, name=f"{prefix}{k}班", enrolment_year=2025)
            for k in range(n)
        )
        created = list(SchoolClass.objects.filter(name__startswith=prefix).order_by("pk"))
        Barometer.objects.bulk_create(
            Barometer(
                semester=self.semester,
                school_class=cls,
                week=12,
                weather=1 + k % 5,
                filed_by=self.filer,
                submitted_at=self.deadline(12) - datetime.timedelta(hours=1),
                late=k % 7 == 0,
            )
            for k, cls in enumerate(created)
            if k % 3
        )
        Alert.objects.bulk_create(
            Alert(
                school=self.school,
                semester=self.semester,
                school_class=cls,
                rule=Alert.Rule.MISSING,
                grade=Alert.Grade.RED if k % 2 else Alert.Grade.YELLOW,
                key=f"bulk:{cls.pk}",
            )
            for k, cls in enumerate(created)
            if k % 4 == 0
        )
        ClassAbsence.objects.bulk_create(
            ClassAbsence(
                school_class=cls,
                kind=ClassAbsence.Kind.INTERNSHIP,
                starts_on=self.semester.week_start(10),
                ends_on=self.semester.week_end(20),
            )
            for k, cls in enumerate(created)
            if k % 10 == 5
        )
        return created


def counted_get(client, url, params=None):
    """GET `url`, which must answer 200: the response and the number of queries it made."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return response, len(ctx.captured_queries)
