"""The member's filing page and its submit cost the same queries for a class of 10 and a
class of 50, however many classmates, kinds of concern and suggestions the barometers
hold; and this week's page points to last week's barometer while it may still be filed."""

import datetime

import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer import services
from committees.models import Barometer, ConcernKind, Weather
from counseling.models import Student
from tests.committees.members import appoint, appoint_member
from tests.committees.test_barometer_filing import (
    BEFORE_DEADLINE,
    THURSDAY,
    WEEK,
    base_of,
    form_data,
)
from tests.factories import StudentFactory

FILE_URL = reverse("committees:barometer-file")


def roster_of_size(world, cls, size):
    for _ in range(size - Student.objects.filter(school_class=cls).count()):
        StudentFactory(school_class=cls, school=world.school)
    return list(Student.objects.filter(school_class=cls).order_by("student_number"))


def filing(students, kinds, suggestions):
    return services.Filing(
        weather=Weather.OVERCAST,
        concerns={kind: 1 for kind in kinds},
        students=[(s, ConcernKind.STUDY, "watch", "上课走神") for s in students],
        suggestions=[f"建议{i}" for i in range(suggestions)],
    )


def counted(request):
    with CaptureQueriesContext(connection) as ctx:
        response = request()
    return response, len(ctx.captured_queries)


def filing_costs(client, world, member, cls, size, named, kinds, suggestions):
    """Queries of the page before this week's filing, of the submit that files it, and of
    the page after (names kept, shown back): last week filed with as much."""
    roster = roster_of_size(world, cls, size)
    classmates = [s for s in roster if s.user_id != member.pk]
    # Last week names other classmates than this week: a streak raises alerts, and each
    # alert is a row and a message of its own.
    services.file_barometer(
        member,
        cls,
        world.semester,
        WEEK - 1,
        filing(classmates[named : 2 * named], kinds, suggestions),
        now=THURSDAY - datetime.timedelta(days=7),
    )
    client.force_login(member)
    url = f"{FILE_URL}?class={cls.pk}"
    client.get(url)  # warm-up: the session
    page, before = counted(lambda: client.get(url))
    assert page.status_code == 200
    html = page.content.decode()
    # Every row's picker lists the whole class, the empty row's template too.
    assert html.count(f'<option value="{roster[-1].pk}">') == 4
    data = form_data(
        base=base_of(page),
        concerns={kind: 1 for kind in kinds},
        rows=[(s, ConcernKind.FAMILY, "close", "想家") for s in classmates[:named]],
        suggestions="\n".join(f"意见{i}" for i in range(suggestions)),
    )
    response, submit = counted(lambda: client.post(url, data))
    assert response.status_code == 302, response.content.decode()[:2000]
    barometer = Barometer.objects.get(school_class=cls, week=WEEK)
    assert barometer.students.count() == named
    page, after = counted(lambda: client.get(url))
    assert page.status_code == 200
    assert all(s.name in page.content.decode() for s in classmates[:named])
    return before, submit, after


def test_filing_costs_the_same_queries_for_a_class_of_10_and_of_50(client, world):
    small = appoint_member(world).student.user
    big_cls = world.cls_b
    big = appoint(world, world.students[big_cls.pk][0], username="w-member-b").student.user
    ContentType.objects.get_for_model(Barometer)  # cached for the whole test: read it first
    with time_machine.travel(THURSDAY, tick=False):
        few = filing_costs(
            client, world, small, world.cls, 10, named=2, kinds=[ConcernKind.STUDY], suggestions=1
        )
        many = filing_costs(
            client, world, big, big_cls, 50, named=12, kinds=ConcernKind.values, suggestions=5
        )
    assert few == many


def test_the_submit_of_an_edit_costs_the_same_for_one_named_and_for_twelve(client, world):
    member = appoint_member(world).student.user
    roster = [s for s in roster_of_size(world, world.cls, 40) if s.user_id != member.pk]
    ContentType.objects.get_for_model(Barometer)
    costs = []
    with time_machine.travel(THURSDAY, tick=False):
        client.force_login(member)
        for named in (1, 12):
            kept = roster[20 : 20 + named]
            Barometer.objects.filter(school_class=world.cls, week=WEEK).delete()
            services.file_barometer(
                member, world.cls, world.semester, WEEK, filing(kept, [], 0), now=THURSDAY
            )
            page = client.get(FILE_URL)
            data = form_data(
                base=base_of(page),
                rows=[(s, ConcernKind.LOVE, "watch", "") for s in roster[:named]],
                suggestions="\n".join(f"意见{i}" for i in range(named)),
            )
            response, n = counted(lambda data=data: client.post(FILE_URL, data))
            assert response.status_code == 302
            assert Barometer.objects.get(school_class=world.cls, week=WEEK).students.count() == (
                2 * named
            )
            costs.append(n)
    assert costs[0] == costs[1]


def test_this_weeks_page_points_to_last_weeks_barometer_until_its_deadline(client, world):
    member = appoint_member(world).student.user
    # Monday 11:59 of week 14: week 13 may still be filed, until 12:00.
    with time_machine.travel(BEFORE_DEADLINE, tick=False):
        client.force_login(member)
        page = client.get(FILE_URL)
        assert page.context["week"] == WEEK + 1
        html = page.content.decode()
        assert f"week={WEEK}" in html and "第13周晴雨表尚未填报" in html
        services.file_barometer(
            member, world.cls, world.semester, WEEK, filing([], [], 0), now=BEFORE_DEADLINE
        )
        html = client.get(FILE_URL).content.decode()
        assert "第13周晴雨表尚未填报" not in html and "第13周晴雨表仍可修改" in html
    # After the deadline, nothing to point to.
    with time_machine.travel(BEFORE_DEADLINE + datetime.timedelta(minutes=2), tick=False):
        client.force_login(member)
        html = client.get(FILE_URL).content.decode()
        assert "第13周晴雨表" not in html
