"""A future session has no "登记出勤" yet, and its page says why and how to correct its
expected numbers before the day; a session of today or earlier has the button."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from lectures.models import Lecture, LectureSession, SessionClass, Venue

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
TODAY = datetime.date(2026, 10, 14)


def session_on(world, day, number):
    lecture = Lecture.objects.filter(school=world.school).first() or Lecture.objects.create(
        school=world.school,
        semester=world.semester,
        title="新生适应讲座",
        speaker="李老师",
        audience=Lecture.Audience.choices[0][0],
    )
    session = LectureSession.objects.create(
        lecture=lecture,
        number=number,
        date=day,
        start_time=datetime.time(14),
        end_time=datetime.time(15),
        venue=Venue.objects.get_or_create(school=world.school, name="报告厅", capacity=300)[0],
    )
    SessionClass.objects.create(session=session, school_class=world.cls, expected=5)
    return session


@pytest.mark.parametrize("offset, button", [(1, False), (0, True), (-1, True)])
def test_the_record_button_or_why_not(world, client, offset, button):
    session = session_on(world, TODAY + datetime.timedelta(days=offset), 1)
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(10), SHANGHAI)):
        client.force_login(world.counselor)
        html = client.get(
            reverse("lectures:session-detail", args=[session.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        ).content.decode()
    assert ('id="record"' in html) is button
    assert ('id="record-later"' in html) is not button
    if not button:
        why = html.split('id="record-later"')[1].split("</p>")[0]
        assert "2026年10月15日" in why and "花名册" in why and "改期或调整班级" in why
