"""The room's student fields: a typed number or name and a search, never the whole roster.

At a 600-class school the forms listed 30,000 students in a <select>; the pages must cost the
same whatever the number of students, and the search shows counselors their own school only.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.booking.models import Booking
from consultations.cases.models import Case
from counseling.models import Role
from counseling.permissions import access_of
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentFactory,
)

SEARCH = "consultations:student-search"
FORMS = ["consultations:case-new", "consultations:book-for"]


def _page(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.content)


def _search(client, text):
    response = client.get(reverse(SEARCH), {"q": text})
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.parametrize("name", FORMS)
def test_the_form_costs_the_same_at_5_and_200_students(client, world, name):
    client.force_login(world.counselor)
    url = reverse(name)
    StudentFactory.create_batch(5, school_class=world.school_class)
    client.get(url)  # settings rows made on first use are not what is measured
    queries_5, bytes_5 = _page(client, url)
    added = StudentFactory.create_batch(195, school_class=world.school_class)
    queries_200, bytes_200 = _page(client, url)
    assert queries_200 == queries_5
    # The same page but for its CSRF token and the like, never a row per student.
    assert abs(bytes_200 - bytes_5) < 100
    assert added[-1].name not in client.get(url).content.decode()


def test_search_finds_by_exact_number_and_by_name(client, world):
    client.force_login(world.counselor)
    number = world.student.student_number
    assert [s["number"] for s in _search(client, number)] == [number]
    # A number is matched whole, not as a prefix.
    assert _search(client, number[:-1]) == []
    found = _search(client, "小明")
    assert [s["name"] for s in found] == ["小明同学"]
    assert found[0]["class"] == world.school_class.name
    assert {s["name"] for s in _search(client, "同学")} == {"小明同学", "小红同学"}


def test_search_returns_a_few_rows_whatever_the_school(client, world):
    StudentFactory.create_batch(30, school_class=world.school_class, name="王同学")
    client.force_login(world.counselor)
    assert len(_search(client, "王")) == 20


def test_search_never_shows_another_schools_student(client, world):
    elsewhere = SchoolClassFactory(department=DepartmentFactory(school=SchoolFactory()))
    stranger = StudentFactory(school_class=elsewhere, name="小明同学")
    client.force_login(world.counselor)
    found = _search(client, "小明")
    assert [s["number"] for s in found] == [world.student.student_number]
    assert _search(client, stranger.student_number) == []
    # Nor can the form be given the other school's number.
    response = client.post(
        reverse("consultations:case-new"),
        {
            "student": stranger.student_number,
            "origin": "self",
            "concern": "study",
            "risk": "none",
            "rating": 5,
        },
    )
    assert response.status_code == 400
    assert not Case.objects.filter(school=world.school).exists()


def test_search_keeps_to_the_school_the_counselor_works_in(client, world):
    # A counselor with a role in a second school still searches the school it works in.
    second = SchoolFactory()
    RoleFactory(user=world.counselor, kind=Role.Kind.COUNSELOR, school=second)
    elsewhere = SchoolClassFactory(department=DepartmentFactory(school=second))
    StudentFactory(school_class=elsewhere, name="小明二号")
    assert access_of(world.counselor).primary_school == world.school
    client.force_login(world.counselor)
    assert [s["name"] for s in _search(client, "小明")] == ["小明同学"]


def test_search_leaves_out_students_off_the_roster(client, world):
    StudentFactory(school_class=world.school_class, name="小明离校", is_active=False)
    client.force_login(world.counselor)
    assert [s["name"] for s in _search(client, "小明")] == ["小明同学"]


@pytest.mark.parametrize("who", ["teacher", "principal", "liaison", "member", "student"])
def test_only_counselors_search_students(client, world, who):
    user = getattr(world, who)
    client.force_login(user if who != "student" else world.student.user)
    assert client.get(reverse(SEARCH), {"q": "小明"}).status_code == 403


def test_search_asks_for_a_sign_in(client, world):
    response = client.get(reverse(SEARCH), {"q": "小明"})
    assert response.status_code == 302
    assert "小明" not in response.content.decode()


def _case_post(client, student):
    return client.post(
        reverse("consultations:case-new"),
        {"student": student, "origin": "self", "concern": "study", "risk": "none", "rating": 5},
    )


def test_an_unknown_student_number_says_so_in_chinese(client, world):
    client.force_login(world.counselor)
    response = _case_post(client, "2099000001")
    assert response.status_code == 400
    assert "花名册上没有这个学号的学生。" in response.content.decode()
    response = _case_post(client, "没有这个人")
    assert response.status_code == 400
    assert "花名册上没有这个学号或姓名的学生。" in response.content.decode()
    assert not Case.objects.filter(school=world.school).exists()


def test_a_case_opens_by_number_or_by_a_unique_name(client, world):
    client.force_login(world.counselor)
    assert _case_post(client, world.student.student_number).status_code == 302
    assert _case_post(client, "小红同学").status_code == 302
    assert set(Case.objects.filter(school=world.school).values_list("student", flat=True)) == {
        world.student.pk,
        world.other.pk,
    }


def test_a_shared_name_asks_for_the_number(client, world):
    StudentFactory(school_class=world.school_class, name="小明同学")
    client.force_login(world.counselor)
    response = _case_post(client, "小明同学")
    assert response.status_code == 400
    assert "有多名学生同名，请输入学号。" in response.content.decode()
    assert not Case.objects.filter(school=world.school).exists()


def test_the_link_from_an_alert_fills_in_the_number(client, world):
    client.force_login(world.counselor)
    page = client.get(reverse("consultations:case-new") + f"?student={world.student.pk}")
    assert f'value="{world.student.student_number}"' in page.content.decode()
    elsewhere = SchoolClassFactory(department=DepartmentFactory(school=SchoolFactory()))
    stranger = StudentFactory(school_class=elsewhere)
    page = client.get(reverse("consultations:case-new") + f"?student={stranger.pk}")
    assert stranger.student_number not in page.content.decode()


def test_a_walk_in_is_booked_by_name_too(client, world):
    client.force_login(world.counselor)
    response = client.post(
        reverse("consultations:book-for"),
        {
            "student_number": "小红同学",
            "origin": "walk_in",
            "date": "2026-11-26",
            "time": "14:00",
            "channel": "in_person",
        },
    )
    assert response.status_code == 302
    assert Booking.objects.get(school=world.school).student == world.other
    response = client.post(
        reverse("consultations:book-for"),
        {
            "student_number": "2099000001",
            "origin": "walk_in",
            "date": "2026-11-26",
            "time": "15:00",
            "channel": "in_person",
        },
    )
    assert response.status_code == 400
    assert "花名册上没有这个学号的学生。" in response.content.decode()
