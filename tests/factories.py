"""factory_boy factories for the network, kept apart from the demo school's names."""

import datetime

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from counseling.models import (
    Department,
    Role,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
)

PASSWORD = "demo12345"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"t-user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.django.Password(PASSWORD)


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"测试学校{n}")


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"测试科{n}")


class SchoolClassFactory(DjangoModelFactory):
    class Meta:
        model = SchoolClass

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"2026级测试{n}班")
    enrolment_year = 2026
    size = 50


class StudentFactory(DjangoModelFactory):
    class Meta:
        model = Student

    school_class = factory.SubFactory(SchoolClassFactory)
    school = factory.LazyAttribute(lambda o: o.school_class.department.school)
    student_number = factory.Sequence(lambda n: f"T{n:07d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = Student.Gender.FEMALE


class SemesterFactory(DjangoModelFactory):
    class Meta:
        model = Semester

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"测试学期{n}")
    first_monday = datetime.date(2026, 8, 31)
    weeks = 20


class SemesterBreakFactory(DjangoModelFactory):
    class Meta:
        model = SemesterBreak

    semester = factory.SubFactory(SemesterFactory)
    name = "国庆节"
    first_week = 5
    last_week = 5


class RoleFactory(DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.COUNSELOR
    school = factory.SubFactory(SchoolFactory)
