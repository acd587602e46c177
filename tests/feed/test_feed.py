"""The calendar feed as outside calendar software reads it (parsed with vobject too)."""

import datetime

import pytest
import vobject
from django.urls import reverse
from django.utils import timezone

from committees.models import Meeting
from counseling.models import Role
from lectures.models import ThemeEvent, ThemeMonth
from reports.models import CalendarToken
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
BASE = "https://xinli.example.edu.cn"


class World:
    def __init__(self):
        self.school = SchoolFactory()
        today = timezone.localdate()
        self.semester = SemesterFactory(
            school=self.school, first_monday=today - datetime.timedelta(days=today.weekday() + 21)
        )
        department = DepartmentFactory(school=self.school)
        self.class_a = SchoolClassFactory(department=department)
        self.class_b = SchoolClassFactory(department=department)
        self.day = today + datetime.timedelta(days=2)
        month = ThemeMonth.objects.create(
            school=self.school, semester=self.semester, month=self.day, theme="测试月"
        )
        self.event_a = ThemeEvent.objects.create(
            month=month, kind=ThemeEvent.Kind.TALK, title="甲班访谈", date=self.day
        )
        self.event_a.classes.add(self.class_a)
        self.event_b = ThemeEvent.objects.create(
            month=month, kind=ThemeEvent.Kind.TALK, title="乙班访谈", date=self.day
        )
        self.event_b.classes.add(self.class_b)
        self.training = Meeting.objects.create(
            semester=self.semester,
            kind=Meeting.Kind.TRAINING,
            date=self.day,
            start_time=datetime.time(16, 30),
            end_time=datetime.time(17, 30),
            place="会议室",
            topic="培训：识别心理困扰",
        )
        self.counselor = RoleFactory(school=self.school, kind=Role.Kind.COUNSELOR).user
        self.member = UserFactory()
        Role.objects.create(
            user=self.member,
            kind=Role.Kind.COMMITTEE_MEMBER,
            school=self.school,
            school_class=self.class_a,
        )
        self.teacher = UserFactory()
        self.class_b.class_teacher = self.teacher
        self.class_b.save()


@pytest.fixture
def world(settings):
    settings.PORTAL_BASE_URL = BASE
    return World()


def url(user, query=""):
    return reverse("reports:calendar-feed", args=[CalendarToken.for_user(user).token]) + query


def summaries(response):
    assert response.status_code == 200, response.status_code
    calendar = vobject.readOne(response.content.decode())
    return sorted(e.summary.value for e in calendar.vevent_list)


def test_a_second_library_reads_it_with_stable_stamps(client, world, settings):
    settings.ALLOWED_HOSTS = ["testserver", "xinli.local"]
    response = client.get(url(world.counselor))
    calendar = vobject.readOne(response.content.decode())
    training = next(e for e in calendar.vevent_list if "识别心理困扰" in e.summary.value)
    world.training.refresh_from_db()
    changed = world.training.updated_at.replace(microsecond=0)
    assert training.dtstamp.value == changed
    assert training.last_modified.value == changed
    assert training.uid.value == f"committee-meeting-{world.training.pk}@xinli.example.edu.cn"
    assert training.url.value == BASE + reverse(
        "committees:meeting-detail", args=[world.training.pk]
    )
    # Fetching again (another second, another Host) gives the same file.
    again = client.get(url(world.counselor), HTTP_HOST="xinli.local")
    assert again.content == response.content


def test_no_double_prefix(client, world):
    names = summaries(client.get(url(world.counselor)))
    assert "心理委员培训：识别心理困扰" in names
    assert not any("培训：培训" in n for n in names)


def test_head_and_conditional_get(client, world):
    assert client.head(url(world.counselor)).status_code == 200
    first = client.get(url(world.counselor))
    etag = first["ETag"]
    assert first["Last-Modified"]
    not_modified = client.get(url(world.counselor), HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304 and not_modified.content == b""
    since = client.get(url(world.counselor), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    world.training.place = "心理辅导室"
    world.training.save()
    changed = client.get(url(world.counselor), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_persons_language_not_the_calendar_apps(client, world):
    names = summaries(client.get(url(world.counselor), HTTP_ACCEPT_LANGUAGE="en"))
    assert "心理委员培训：识别心理困扰" in names
    world.counselor.language = "en"
    world.counselor.save()
    names = summaries(client.get(url(world.counselor), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    assert any(n.startswith("Committee training") for n in names)


def test_each_persons_feed_holds_what_concerns_it(client, world):
    assert summaries(client.get(url(world.member))) == ["心理委员培训：识别心理困扰", "甲班访谈"]
    assert summaries(client.get(url(world.teacher))) == ["乙班访谈"]
    assert summaries(client.get(url(world.counselor))) == [
        "乙班访谈",
        "心理委员培训：识别心理困扰",
        "甲班访谈",
    ]
    assert summaries(client.get(url(world.counselor, "?kind=training"))) == [
        "心理委员培训：识别心理困扰"
    ]


def test_a_member_cannot_widen_its_feed_with_the_filter(client, world):
    assert "乙班访谈" not in summaries(client.get(url(world.member, "?kind=theme")))
