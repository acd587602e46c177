"""A whole-school lecture at a district-sized school, the coverage page and the calendar
month: the same queries whatever the number of classes and sessions, and what the pages
show still counts everything.

Each test loads a page for a small school, adds classes, sessions and students, and loads
it again.
"""

import datetime
import itertools
import re

import pytest
from django.urls import reverse

from counseling.models import SchoolClass, Student
from counseling.views.helpers import PAGE_SIZE
from lectures.events.models import Lecture, LectureSession, SessionClass, Status, Venue
from tests.board_world import counted_get

MONDAY = datetime.date(2026, 11, 23)  # the week of NOW


def get(client, url, **params):
    return counted_get(client, url, params)


def whole_school_lecture(world, title="生命教育"):
    venue, _ = Venue.objects.get_or_create(
        school=world.school, name="报告厅", defaults={"capacity": 500}
    )
    lecture = Lecture.objects.create(
        school=world.school,
        semester=world.semester,
        title=title,
        speaker="林老师",
        audience=Lecture.Audience.SCHOOL,
    )
    return lecture, venue


def add_sessions(lecture, venue, sessions, classes, *, status=Status.PLANNED):
    """`sessions` more sessions in the week of NOW, the `classes` shared out among them."""
    first = LectureSession.objects.filter(lecture=lecture).count() + 1
    made = LectureSession.objects.bulk_create(
        LectureSession(
            lecture=lecture,
            number=first + k,
            date=MONDAY + datetime.timedelta(days=k % 5),
            start_time=datetime.time(8 + k % 9),
            end_time=datetime.time(9 + k % 9),
            venue=venue,
            status=status,
        )
        for k in range(sessions)
    )
    SessionClass.objects.bulk_create(
        SessionClass(session=s, school_class=c, expected=30, actual=28)
        for s, c in zip(itertools.cycle(made), classes, strict=False)
    )
    return made


def more_classes(world, n, prefix):
    classes = world.bulk_classes(n, prefix=prefix) or list(
        SchoolClass.objects.filter(name__startswith=prefix)
    )
    Student.objects.bulk_create(
        Student(
            school=world.school,
            school_class=c,
            student_number=f"{prefix}{c.pk}-{k}",
            name="学生",
            gender="M",
        )
        for c in classes
        for k in range(3)
    )
    return classes


def test_lecture_detail_shows_a_page_of_sessions_with_the_same_queries(client, world):
    lecture, venue = whole_school_lecture(world)
    add_sessions(lecture, venue, 2, world.classes[:3])
    url = reverse("lectures:lecture-detail", args=[lecture.pk])
    client.force_login(world.principal)
    get(client, url)
    response, few = get(client, url)
    assert [r["class_count"] for r in response.context["rows"]] == [2, 1]
    assert response.context["not_placed_count"] == 2  # the fourth class and 乙1班
    classes = more_classes(world, 60, "讲")
    add_sessions(lecture, venue, PAGE_SIZE + 5, classes)
    response, many = get(client, url)
    assert many == few
    rows = response.context["rows"]
    assert len(rows) == PAGE_SIZE
    assert response.context["page"].paginator.count == PAGE_SIZE + 7
    # Every session counts towards the seats expected, not only the page shown.
    assert response.context["expected"] == 30 * (3 + 60)
    assert response.context["audience_count"] == 5 + 60
    assert response.context["not_placed"] in (
        "2026级乙1班、2026级甲4班",  # departments by name: code point order on either database
        "2026级甲4班、2026级乙1班",
    )
    response_2, last = get(client, url, page=2)
    assert last == few
    rows += response_2.context["rows"]
    assert len(rows) == PAGE_SIZE + 7
    assert sum(r["class_count"] for r in rows) == 3 + 60
    bulk = next(r for r in rows if r["class_count"] == 2 and "讲" in r["class_names"])
    assert bulk["class_names"].count("、") == 1 and bulk["expected"] == 60
    assert bulk["actual"] == 56 and bulk["percent"] == 12 and bulk["bar"] == "bg-success"


def test_coverage_keeps_its_queries_as_lectures_and_classes_grow(client, world):
    lecture, venue = whole_school_lecture(world)
    add_sessions(lecture, venue, 1, world.classes[:2], status=Status.HELD)
    client.force_login(world.counselor)
    url = reverse("lectures:coverage")
    get(client, url)
    response, few = get(client, url)
    assert response.context["data"]["classes_reached"] == 2
    classes = more_classes(world, 40, "覆")
    for n in range(4):
        other, _ = whole_school_lecture(world, title=f"讲座{n}")
        add_sessions(other, venue, 3, classes[n * 10 : n * 10 + 10], status=Status.HELD)
    response, many = get(client, url)
    assert many == few
    data = response.context["data"]
    assert (data["classes"], data["classes_reached"]) == (45, 42)
    assert data["students"] == 40 * 3 and data["students_reached"] == 40 * 3
    assert sorted(c["name"] for c in data["not_reached"]) == [
        "2026级乙1班",
        "2026级甲3班",
        "2026级甲4班",
    ]
    assert {"name": "2026级乙1班", "department": "乙科"} in data["not_reached"]
    reach = {lecture.title: r for lecture, r in response.context["per_lecture"]}
    assert (reach["讲座0"]["classes"], reach["讲座0"]["students"]) == (10, 10 * 28)
    assert (reach["生命教育"]["classes"], reach["生命教育"]["students"]) == (2, 2 * 28)


@pytest.mark.parametrize("name", ["reports:calendar", "reports:calendar-week"])
def test_calendar_keeps_its_queries_as_sessions_grow(client, world, name):
    lecture, venue = whole_school_lecture(world)
    add_sessions(lecture, venue, 2, world.classes)
    client.force_login(world.principal)
    url = reverse(name)
    params = {"month": "2026-11"} if name == "reports:calendar" else {"week": "2026-11-23"}
    get(client, url, **params)
    _response, few = get(client, url, **params)
    add_sessions(lecture, venue, 80, more_classes(world, 80, "历"))
    response, many = get(client, url, **params)
    assert many == few
    html = response.content.decode()
    # The links, reversed once and filled in per event, are each session's own.
    days = (
        [d for w in response.context["weeks"] for d in w["days"]]
        if name == "reports:calendar"
        else response.context["days"]
    )
    entries = [e for d in days for e in d.get("shown", d["entries"])]
    assert len(entries) == (5 * 4 if name == "reports:calendar" else 82)
    for e in entries:
        pk = int(e.key.rsplit("-", 1)[1])
        assert e.url == reverse("lectures:session-detail", args=[pk])
        assert f'href="{e.url}"' in html
    if name == "reports:calendar":
        # 82 sessions on five days (17 on the Monday): four shown, a link to the week.
        monday = next(d for d in days if d["date"] == MONDAY)
        assert (len(monday["shown"]), monday["more"]) == (4, 13)
        assert f'href="{reverse("reports:calendar-week")}?week=2026-11-23"' in html


def test_new_lecture_offers_the_departments_and_keeps_the_one_ticked(client, world):
    client.force_login(world.counselor)
    url = reverse("lectures:lecture-new")
    response = client.post(
        url, {"audience": "departments", "audience_departments": [world.other_department.pk]}
    )
    assert response.status_code == 400  # no title
    html = response.content.decode()
    ticked = re.search(rf'<input[^>]*value="{world.other_department.pk}"[^>]*>', html).group(0)
    assert 'name="audience_departments"' in ticked and "checked" in ticked
    other = re.search(rf'<input[^>]*value="{world.department.pk}"[^>]*>', html).group(0)
    assert 'name="audience_departments"' in other and "checked" not in other
    response = client.post(
        url,
        {
            "title": "生命教育",
            "speaker": "林老师",
            "audience": "departments",
            "audience_departments": [world.other_department.pk],
        },
    )
    assert response.status_code == 302
    lecture = Lecture.objects.get(title="生命教育")
    assert list(lecture.audience_departments.all()) == [world.other_department]
