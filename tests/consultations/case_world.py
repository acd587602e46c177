"""A small school of its own for the consultation room: a head counselor, the counselor a
case is assigned to, another counselor, a class teacher, a committee member, the school
administrator and two students with accounts."""

import datetime

from django.utils import timezone

from consultations.cases import services as cases
from consultations.cases.models import Case, ReferralService, Risk
from counseling.models import Role
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

SECRET = "她说晚上总是睡不着，和室友吵架后想退学"


def case_with_signed_note(counselor, student, note, *, risk="yellow", concerns=""):
    """A case the student came to by itself, opened by `counselor`, with one signed note."""
    case = cases.open_case(
        counselor, student, origin="self", concern="mood", risk=risk, rating=3, concerns=concerns
    )
    cases.sign_note(cases.add_note(case, counselor, note), counselor)
    return case


class World:
    def __init__(self, prefix="cw"):
        self.school = SchoolFactory()
        self.semester = SemesterFactory(
            school=self.school,
            first_monday=timezone.localdate() - datetime.timedelta(days=14),
            weeks=20,
        )
        self.department = DepartmentFactory(school=self.school)
        self.teacher = UserFactory(username=f"{prefix}-teacher")
        self.school_class = SchoolClassFactory(
            department=self.department, class_teacher=self.teacher
        )
        self.head = self.user(f"{prefix}-head", Role.Kind.COUNSELOR, is_head=True)
        self.counselor = self.user(f"{prefix}-counselor", Role.Kind.COUNSELOR)
        self.other = self.user(f"{prefix}-other", Role.Kind.COUNSELOR)
        self.principal = self.user(f"{prefix}-principal", Role.Kind.SCHOOL_ADMIN)
        self.member = UserFactory(username=f"{prefix}-member")
        RoleFactory(
            user=self.member,
            school=self.school,
            kind=Role.Kind.COMMITTEE_MEMBER,
            school_class=self.school_class,
        )
        self.student = self.student_with_account(f"{prefix}-student", "张小明")
        self.student2 = self.student_with_account(f"{prefix}-student2", "李小红")
        self.service = ReferralService.objects.create(school=self.school, name="市精神卫生中心")

    def user(self, username, kind, **extra):
        user = UserFactory(username=username, email=f"{username}@example.cn")
        RoleFactory(user=user, school=self.school, kind=kind, **extra)
        return user

    def student_with_account(self, username, name):
        user = UserFactory(username=username, email=f"{username}@example.cn")
        student = StudentFactory(school_class=self.school_class, name=name, user=user)
        RoleFactory(
            user=user, school=self.school, kind=Role.Kind.STUDENT, school_class=self.school_class
        )
        return student

    def case(self, student=None, risk=Risk.YELLOW, counselor=None, concerns=SECRET, **extra):
        return cases.open_case(
            self.head,
            student or self.student,
            origin=extra.pop("origin", Case.Origin.SELF),
            concern=extra.pop("concern", Case.Concern.MOOD),
            risk=risk,
            rating=extra.pop("rating", 4),
            concerns=concerns,
            counselor=counselor or self.counselor,
            **extra,
        )
