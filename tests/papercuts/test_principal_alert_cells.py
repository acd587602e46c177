"""The school administrator's open alerts by level and grade: 0 shows as 0, 1 and 2 as "<3",
3 and more as themselves, each in its own cell; closed alerts and other schools not counted."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse

from committees.models import Alert

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def alerts(world, cls, grade, n, **extra):
    for i in range(n):
        Alert.objects.create(
            school=world.school,
            semester=world.semester,
            school_class=cls,
            week=6,
            rule=Alert.Rule.STORM,
            grade=grade,
            key=f"cells:{cls.pk}:{grade}:{i}:{extra}",
            **extra,
        )


def cells(html):
    table = html.split('class="table table-sm w-auto open-alerts"')[1].split("</table>")[0]
    rows = {}
    for row in re.findall(r"<tr><td>(.*?)</td>(.*?)</tr>", table, re.S):
        rows[row[0]] = [c.strip() for c in re.findall(r'<td class="text-end">(.*?)</td>', row[1])]
    return rows


def test_zero_small_and_exact_counts(world, client):
    # cls is of 2026 (year 1), cls_b of 2025: red, orange, yellow in that order.
    world.cls.enrolment_year, world.cls_b.enrolment_year = 2026, 2025
    world.cls.save(), world.cls_b.save()
    alerts(world, world.cls, Alert.Grade.ORANGE, 1)
    alerts(world, world.cls, Alert.Grade.YELLOW, 4)
    alerts(world, world.cls_b, Alert.Grade.RED, 3)
    alerts(world, world.cls_b, Alert.Grade.YELLOW, 2)
    alerts(world, world.cls_b, Alert.Grade.RED, 5, status=Alert.Status.CLOSED, outcome="已处理")
    with time_machine.travel(datetime.datetime(2026, 10, 14, 10, tzinfo=SHANGHAI)):
        client.force_login(world.principal)
        html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert cells(html) == {
        "2026级": ["0", "&lt;3", "4"],
        "2025级": ["3", "0", "&lt;3"],
    }
