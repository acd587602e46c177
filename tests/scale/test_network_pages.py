"""The network lists of a 600-class school: one page of rows, the same queries at any size."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.models import Role, SchoolClass, Student
from counseling.views.helpers import PAGE_SIZE
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
)

pytestmark = pytest.mark.django_db


def get(client, name, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


@pytest.fixture
def department():
    return DepartmentFactory()


@pytest.fixture
def principal(department):
    return RoleFactory(kind=Role.Kind.SCHOOL_ADMIN, school=department.school).user


def grow(department, classes, students_each):
    made = SchoolClass.objects.bulk_create(
        SchoolClass(department=department, name=f"扩{k:03d}班", enrolment_year=2026, size=50)
        for k in range(classes)
    )
    Student.objects.bulk_create(
        Student(
            school=department.school,
            school_class=cls,
            student_number=f"G{cls.pk:05d}{n:02d}",
            name=f"学生{cls.pk}-{n}",
            gender=Student.Gender.MALE,
        )
        for cls in made
        for n in range(students_each)
    )


def test_class_list_counts_each_class_on_the_page_with_the_same_queries(
    client, department, principal
):
    first = SchoolClassFactory(department=department, name="甲班")
    StudentFactory.create_batch(3, school_class=first)
    StudentFactory(school_class=first, is_active=False)  # off the roster: not counted
    SchoolClassFactory(department=department, name="乙班")
    StudentFactory(school_class=SchoolClassFactory())  # another school's class
    client.force_login(principal)
    get(client, "counseling:class-list")
    response, few = get(client, "counseling:class-list")
    counts = {c.name: c.student_count for c in response.context["page"]}
    assert counts == {"甲班": 3, "乙班": 0}
    grow(department, PAGE_SIZE + 5, 4)
    response, many = get(client, "counseling:class-list")
    assert many == few
    assert response.context["page"].paginator.count == PAGE_SIZE + 7
    assert len(response.context["page"]) == PAGE_SIZE
    assert {c.student_count for c in response.context["page"] if c.name.startswith("扩")} == {4}
    response, _ = get(client, "counseling:class-list", q="甲")
    assert [(c.name, c.student_count) for c in response.context["page"]] == [("甲班", 3)]


def test_student_list_shows_a_page_of_the_school_with_the_same_queries(
    client, department, principal
):
    StudentFactory.create_batch(3, school_class=SchoolClassFactory(department=department))
    stranger = StudentFactory()  # another school
    client.force_login(principal)
    get(client, "counseling:student-list")
    response, few = get(client, "counseling:student-list")
    assert len(response.context["page"]) == 3
    grow(department, 10, 5)
    response, many = get(client, "counseling:student-list")
    assert many == few
    assert response.context["page"].paginator.count == 53
    shown = list(response.context["page"])
    assert len(shown) == PAGE_SIZE and stranger not in shown
    assert [s.student_number for s in shown] == sorted(s.student_number for s in shown)


def test_student_list_of_a_liaison_keeps_to_the_department(client, department):
    liaison = RoleFactory(
        kind=Role.Kind.LIAISON, school=department.school, department=department
    ).user
    mine = StudentFactory(school_class=SchoolClassFactory(department=department))
    neighbour = StudentFactory(
        school_class=SchoolClassFactory(department=DepartmentFactory(school=department.school))
    )
    client.force_login(liaison)
    response, _ = get(client, "counseling:student-list")
    assert list(response.context["page"]) == [mine]
    assert neighbour.school == mine.school


def test_student_list_of_an_administrator_here_and_a_liaison_elsewhere(client, department):
    """Only whole schools take the school shortcut: the other school stays department-wide."""
    user = RoleFactory(kind=Role.Kind.SCHOOL_ADMIN, school=department.school).user
    elsewhere = DepartmentFactory(school=SchoolFactory())
    RoleFactory(user=user, kind=Role.Kind.LIAISON, school=elsewhere.school, department=elsewhere)
    here = StudentFactory(school_class=SchoolClassFactory(department=department))
    theirs = StudentFactory(school_class=SchoolClassFactory(department=elsewhere))
    StudentFactory(
        school_class=SchoolClassFactory(department=DepartmentFactory(school=elsewhere.school))
    )
    client.force_login(user)
    response, _ = get(client, "counseling:student-list")
    assert set(response.context["page"]) == {here, theirs}
