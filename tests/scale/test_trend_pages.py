"""The board's trend pages at a district-sized school: the department's classes a page at a
time, its figures over every class, and the same queries at any size."""

import re

import pytest
import time_machine
from django.urls import reverse

from committees.barometer.services import coverage
from committees.board.views import DEPARTMENT_CLASS_PAGE
from committees.models import Barometer
from counseling.models import SchoolClass
from tests.board_world import NOW, counted_get


def get(client, url, **params):
    with time_machine.travel(NOW, tick=False):
        return counted_get(client, url, params)


def class_rows(html):
    table = re.search(
        r'<table class="table table-sm align-middle" id="classes">(.*?)</table>', html, re.S
    )
    return re.findall(r'<a href="/committees/board/class/(\d+)/', table.group(1))


@pytest.mark.parametrize("who", ["principal", "liaison", "counselor"])
def test_department_trend_shows_a_page_of_classes_with_the_same_queries(client, world, who):
    url = reverse("committees:department-trend", args=[world.department.pk])
    client.force_login(getattr(world, who))
    get(client, url)  # warm-up: session, settings row
    response, few = get(client, url)
    assert len(class_rows(response.content.decode())) == 4
    with time_machine.travel(NOW, tick=False):
        world.bulk_classes(DEPARTMENT_CLASS_PAGE + 6, prefix="趋")
    response, many = get(client, url)
    html = response.content.decode()
    assert len(class_rows(html)) == DEPARTMENT_CLASS_PAGE
    assert response.context["page"].paginator.count == DEPARTMENT_CLASS_PAGE + 10
    assert many == few
    response, last = get(client, url, page=2)
    assert len(class_rows(response.content.decode())) == 10
    assert last == few


def test_department_trend_counts_every_class_not_the_page(client, world):
    with time_machine.travel(NOW, tick=False):
        world.bulk_classes(DEPARTMENT_CLASS_PAGE + 6, prefix="趋")
        classes = list(SchoolClass.objects.filter(department=world.department, is_active=True))
        total = coverage(world.semester, classes).total()
    client.force_login(world.counselor)
    response, _ = get(client, reverse("committees:department-trend", args=[world.department.pk]))
    assert response.context["coverage"] == total
    assert total["expected"] > DEPARTMENT_CLASS_PAGE
    # Week 12's weather counts every class filed for it, on the page or not.
    row = next(r for r in response.context["by_week"] if r["week"] == 12)
    filed = Barometer.objects.filter(semester=world.semester, week=12, school_class__in=classes)
    assert sum(row["counts"]) == filed.count() > DEPARTMENT_CLASS_PAGE / 2
