"""A small school of named people, built by factories, for tests that need the network.

The demo school (`load_demo`) is for people trying the portal and has a test of its own
(tests/test_demo.py); other tests build this world instead, so that what they assert follows
from what they built. Use the `world` fixture, or `World()` inside a test to vary it.

    def test_the_liaison_sees_only_its_department(world, client):
        client.force_login(world.liaison)
        ...

The school has two departments (`dept`, `other_dept`) of two classes each (`cls`,
`cls_b` in `dept`; `other_cls`, `other_cls_b` in `other_dept`), five students in every
class, and two semesters: `previous` (spring 2026) and `semester` (autumn 2026, starting
Monday 31 August 2026, week 5 a holiday). The people, named as the demo's accounts
(usernames with the prefix `w-`: `w-counselor`), are:

    admin       system administrator (a superuser, no role)
    principal   school administrator
    counselor   head counselor          counselor2  counselor
    liaison     liaison of `dept`
    teacher     class teacher of `cls`
    member      committee member of `cls` (a student of it, with an account)
    student     a student of `cls_b` with an account
    stranger    counselor of another school (`other_school`), to prove scoping

Every password is `PASSWORD`.
"""

import datetime

from django.contrib.auth import get_user_model

from counseling.models import Role, SemesterBreak
from tests.factories import (
    PASSWORD,
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

__all__ = ["PASSWORD", "World"]

STUDENTS_PER_CLASS = 5
# Usernames are prefixed while the demo school still shares the test database with them.
PREFIX = "w-"


class World:
    def __init__(self, *, students_per_class=STUDENTS_PER_CLASS):
        self.school = SchoolFactory(name="测试职业学校", short_name="测试职校")
        self.previous = SemesterFactory(
            school=self.school, name="2025-2026学年第二学期", first_monday=datetime.date(2026, 3, 2)
        )
        self.semester = SemesterFactory(
            school=self.school,
            name="2026-2027学年第一学期",
            first_monday=datetime.date(2026, 8, 31),
        )
        SemesterBreak.objects.create(
            semester=self.semester, name="国庆节", first_week=5, last_week=5
        )

        self.dept = DepartmentFactory(school=self.school, name="信息技术科", code="IT")
        self.other_dept = DepartmentFactory(school=self.school, name="财经商贸科", code="FB")
        self.teacher = UserFactory(username=f"{PREFIX}teacher", full_name="王老师")
        self.cls = SchoolClassFactory(
            department=self.dept, name="2026级计算机1班", class_teacher=self.teacher
        )
        self.cls_b = SchoolClassFactory(department=self.dept, name="2025级计算机1班")
        self.other_cls = SchoolClassFactory(department=self.other_dept, name="2026级会计1班")
        self.other_cls_b = SchoolClassFactory(department=self.other_dept, name="2025级会计1班")
        self.classes = [self.cls, self.cls_b, self.other_cls, self.other_cls_b]
        self.students = {
            c.pk: [
                StudentFactory(school_class=c, school=self.school)
                for _ in range(students_per_class)
            ]
            for c in self.classes
        }

        self.admin = get_user_model().objects.create_superuser(
            f"{PREFIX}admin", "w-admin@example.com", PASSWORD, full_name="系统管理员"
        )
        self.principal = self._person("principal", "张校长", Role.Kind.SCHOOL_ADMIN)
        self.counselor = self._person("counselor", "李老师", Role.Kind.COUNSELOR, is_head=True)
        self.counselor2 = self._person("counselor2", "赵老师", Role.Kind.COUNSELOR)
        self.liaison = self._person("liaison", "陈老师", Role.Kind.LIAISON, department=self.dept)

        self.member_student = self.students[self.cls.pk][0]
        self.member = self.account(
            self.member_student, "member", Role.Kind.COMMITTEE_MEMBER, school_class=self.cls
        )
        self.student_record = self.students[self.cls_b.pk][1]
        self.student = self.account(
            self.student_record, "student", Role.Kind.STUDENT, school_class=self.cls_b
        )

        self.other_school = SchoolFactory(name="另一所职业学校")
        SemesterFactory(school=self.other_school, first_monday=datetime.date(2026, 8, 31))
        self.stranger = UserFactory(username=f"{PREFIX}stranger", full_name="外校老师")
        RoleFactory(user=self.stranger, kind=Role.Kind.COUNSELOR, school=self.other_school)

    def _person(self, username, full_name, kind, **role):
        user = UserFactory(username=f"{PREFIX}{username}", full_name=full_name)
        RoleFactory(user=user, kind=kind, school=self.school, **role)
        return user

    def account(self, student, username, kind, **role):
        """An account for a student of the world, under the student's name, with a role."""
        user = UserFactory(username=f"{PREFIX}{username}", full_name=student.name)
        student.user = user
        student.save(update_fields=["user"])
        RoleFactory(user=user, kind=kind, school=self.school, **role)
        return user

    def people(self):
        """Every persona by username, for tests that go through all roles."""
        return {
            u.username.removeprefix(PREFIX): u
            for u in (
                self.admin,
                self.principal,
                self.counselor,
                self.counselor2,
                self.liaison,
                self.teacher,
                self.member,
                self.student,
            )
        }


def signed_in(client, user):
    """The test client, signed in as `user` (a persona of the world)."""
    client.force_login(user)
    return client
