"""The counselor's home card and the week board open on the week members are filing now,
with the last closed week one step back (the world's semester: 31 August 2026, week 5 a
holiday, deadlines on the following Monday at noon)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from committees.board.queries import default_week
from committees.models import Barometer, Weather

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour=10):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), SHANGHAI))


WEDNESDAY_OF_WEEK_7 = datetime.date(2026, 10, 14)


@pytest.mark.parametrize(
    "day, week",
    [
        (WEDNESDAY_OF_WEEK_7, 7),
        # Monday morning: last week's deadline (noon) is still ahead, yet members file this week.
        (datetime.date(2026, 10, 12), 7),
        # The 国庆 week files nothing: the week before it is the one still being filed.
        (datetime.date(2026, 9, 30), 4),
    ],
)
def test_the_board_opens_on_the_week_being_filed(world, client, day, week):
    assert (
        default_week(world.semester, datetime.datetime.combine(day, datetime.time(10), SHANGHAI))
        == week
    )
    with at(day):
        client.force_login(world.counselor)
        response = client.get(reverse("committees:week-board"))
    assert response.context["week"] == week


@pytest.mark.parametrize(
    "day, week", [(datetime.date(2026, 8, 20), 1), (datetime.date(2027, 3, 1), 20)]
)
def test_before_and_after_the_semester(world, day, week):
    now = datetime.datetime.combine(day, datetime.time(10), SHANGHAI)
    assert default_week(world.semester, now) == week


def test_last_week_is_one_step_back(world, client):
    with at(WEDNESDAY_OF_WEEK_7):
        client.force_login(world.counselor)
        response = client.get(reverse("committees:week-board"))
    assert response.context["week"] == 7 and response.context["previous_week"] == 6


def test_the_home_card_counts_this_weeks_filings_and_last_weeks_beside(world, client):
    for week in (6, 7):
        Barometer.objects.create(
            semester=world.semester,
            school_class=world.cls,
            week=week,
            weather=Weather.SUNNY,
            filed_by=world.member,
        )
    with at(WEDNESDAY_OF_WEEK_7):
        client.force_login(world.counselor)
        response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    current = html.split('id="week-filing"')[1].split("</p>")[0]
    previous = html.split('id="previous-filing"')[1].split("</p>")[0]
    assert "第7周" in current and "填报中" in current and "已填报1个" in current
    assert "第6周" in previous and "已截止" in previous and "已填报1个" in previous
