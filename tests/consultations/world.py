"""A small school of its own for the consultation room's tests, on a fixed clock.

The autumn semester starts on Monday 31 August 2026; weeks 5 and 15 have no teaching.
`NOW` is Wednesday 25 November 2026, 10:00 (week 13). `c-one` has hours on Wednesdays
11–12 and Thursdays 14–17 (in person and phone) and on Fridays 9–11 (online only); the
head counselor on Mondays 14–16. Slots last 60 minutes.
"""

import datetime

import factory
from factory.django import DjangoModelFactory

from consultations.booking.models import Booking
from consultations.hours.models import CounselorHours
from consultations.room.models import ReasonCategory, Room, RoomSettings
from counseling.models import Role
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
THURSDAY = datetime.date(2026, 11, 26)
REASON = "室友的事让我整夜睡不着"


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


class HoursFactory(DjangoModelFactory):
    class Meta:
        model = CounselorHours

    weekday = 3
    starts_at = datetime.time(14)
    ends_at = datetime.time(17)


class World:
    def __init__(self):
        self.school = SchoolFactory()
        self.semester = SemesterFactory(
            school=self.school, first_monday=datetime.date(2026, 8, 31), weeks=20
        )
        SemesterBreakFactory(semester=self.semester, first_week=5, last_week=5)
        SemesterBreakFactory(semester=self.semester, name="停课周", first_week=15, last_week=15)
        self.department = DepartmentFactory(school=self.school)
        self.teacher = UserFactory(username="c-teacher", email="teacher@example.edu.cn")
        self.school_class = SchoolClassFactory(
            department=self.department, class_teacher=self.teacher
        )
        self.head = self.user("c-head", Role.Kind.COUNSELOR, is_head=True, full_name="林主任")
        self.counselor = self.user("c-one", Role.Kind.COUNSELOR, full_name="陈老师")
        self.counselor2 = self.user("c-two", Role.Kind.COUNSELOR, full_name="赵老师")
        self.principal = self.user("c-principal", Role.Kind.SCHOOL_ADMIN)
        self.liaison = self.user("c-liaison", Role.Kind.LIAISON, department=self.department)
        self.sysadmin = UserFactory(username="c-admin", is_superuser=True, is_staff=True)
        self.student = self.pupil("c-student", "小明同学")
        self.other = self.pupil("c-other", "小红同学")
        self.member = self.user(
            "c-member", Role.Kind.COMMITTEE_MEMBER, school_class=self.school_class
        )
        self.room_settings = RoomSettings.for_school(self.school)
        self.room_settings.slot_minutes = 60
        self.room_settings.hotlines = (
            "学校心理咨询室：0571-1234 5678\n全国心理援助热线：400-161-9995"
        )
        self.room_settings.answer_hours = "周一至周五 8:30–17:00"
        self.room_settings.save()
        self.category = ReasonCategory.objects.create(school=self.school, name="人际关系困扰")
        self.room = Room.objects.create(school=self.school, name="咨询室甲")
        HoursFactory(school=self.school, counselor=self.counselor, weekday=3, room=self.room)
        HoursFactory(
            school=self.school,
            counselor=self.counselor,
            weekday=2,
            starts_at=datetime.time(11),
            ends_at=datetime.time(12),
        )
        HoursFactory(
            school=self.school,
            counselor=self.counselor,
            weekday=4,
            starts_at=datetime.time(9),
            ends_at=datetime.time(11),
            in_person=False,
            phone=False,
            online=True,
        )
        HoursFactory(
            school=self.school,
            counselor=self.head,
            weekday=0,
            starts_at=datetime.time(14),
            ends_at=datetime.time(16),
        )

    def user(self, username, kind, full_name="", **extra):
        user = UserFactory(
            username=username, full_name=full_name or username, email=f"{username}@example.edu.cn"
        )
        RoleFactory(user=user, kind=kind, school=self.school, **extra)
        return user

    def pupil(self, username, name, school_class=None):
        school_class = school_class or self.school_class
        user = UserFactory(username=username, full_name=name, email=f"{username}@example.edu.cn")
        RoleFactory(
            user=user, kind=Role.Kind.STUDENT, school=self.school, school_class=school_class
        )
        return StudentFactory(school_class=school_class, name=name, user=user)

    def booking(self, student=None, starts_at=None, status=Booking.Status.CONFIRMED, **extra):
        """A booking written straight to the table (for states the services reach later)."""
        starts_at = starts_at or at(THURSDAY, 14)
        student = student or self.student
        defaults = {
            "school": self.school,
            "student": student,
            "counselor": self.counselor,
            "starts_at": starts_at,
            "ends_at": starts_at + datetime.timedelta(hours=1),
            "channel": "in_person",
            "category": self.category,
            "reason": REASON,
            "status": status,
            "booked_by": student.user,
        }
        if status in (Booking.Status.CANCELLED, Booking.Status.DECLINED):
            defaults["cancelled_at"] = starts_at - datetime.timedelta(days=1)
        defaults.update(extra)
        return Booking.objects.create(**defaults)


class StudentUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"c-racer{n}")
