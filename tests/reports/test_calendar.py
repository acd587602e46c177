"""The semester calendar: month and week views, filters, scoping, a fixed number of queries,
and the iCalendar feed behind a secret link."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from committees.models import Meeting
from counseling.models import Department, Role, Semester
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Lecture,
    LectureSession,
    SessionClass,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from reports.models import CalendarToken
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    UserFactory,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


class Events:
    """Events of a school a few days from today (the feed shows a window around
    today), one of each kind, some tied to classes of two departments."""

    def __init__(self, school):
        self.school = school
        self.semester = Semester.objects.current(school)
        self.day = timezone.localdate() + datetime.timedelta(days=3)
        departments = list(Department.objects.filter(school=school).order_by("name")[:2])
        self.dept_a, self.dept_b = departments
        self.class_a = self.dept_a.classes.order_by("name").first()
        self.class_b = self.dept_b.classes.order_by("name").first()
        self.venue = Venue.objects.create(school=school, name="日历测试厅", capacity=300)
        self.month = ThemeMonth.objects.create(
            school=school, semester=self.semester, month=self.day, theme="日历测试月"
        )
        self.lecture = Lecture.objects.create(
            school=school,
            semester=self.semester,
            title="日历测试讲座",
            speaker="林老师",
            audience=Lecture.Audience.CLASSES,
        )
        self.session = LectureSession.objects.create(
            lecture=self.lecture,
            number=1,
            date=self.day,
            start_time=datetime.time(14, 30),
            end_time=datetime.time(16, 0),
            venue=self.venue,
        )
        SessionClass.objects.create(session=self.session, school_class=self.class_a, expected=50)
        self.event_b = ThemeEvent.objects.create(
            month=self.month,
            kind=ThemeEvent.Kind.TALK,
            title="日历测试乙科访谈",
            date=self.day,
            start_time=datetime.time(10, 0),
            end_time=datetime.time(11, 0),
        )
        self.event_b.classes.add(self.class_b)
        self.all_day = ThemeEvent.objects.create(
            month=self.month, kind=ThemeEvent.Kind.OTHER, title="日历测试全校展览", date=self.day
        )
        self.meeting = Meeting.objects.create(
            semester=self.semester,
            kind=Meeting.Kind.MEETING,
            date=self.day,
            start_time=datetime.time(16, 30),
            end_time=datetime.time(17, 30),
            place="日历测试会议室",
            topic="日历测试例会",
        )


@pytest.fixture
def events(world):
    return Events(world.school)


@pytest.fixture
def persona(world):
    """A persona of the world by name, as the demo's accounts were called."""
    return lambda name: world.people()[name]


@pytest.fixture
def sign_in(client, world):
    """The test client signed in as a persona of the world, by name."""

    def sign(name):
        client.force_login(world.people()[name])
        return client

    return sign


def titles(response):
    return [e.title for d in response.context["days"] for e in d["entries"]]


def week_url(day, **params):
    query = "&".join(
        f"{k}={v}" for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])
    )
    return f"{reverse('reports:calendar-week')}?week={day.isoformat()}&{query}"


class TestViews:
    def test_week_lists_every_kind_by_day(self, sign_in, events):
        response = sign_in("counselor").get(week_url(events.day))
        assert response.status_code == 200
        day = next(d for d in response.context["days"] if d["date"] == events.day)
        kinds = [e.kind for e in day["entries"]]
        assert {"lecture", "theme", "meeting"} <= set(kinds)
        # In time order, the all-day event first.
        names = [e.title for e in day["entries"]]
        assert names.index("日历测试全校展览") < names.index("日历测试乙科访谈")
        html = response.content.decode()
        assert "日历测试讲座" in html and "日历测试厅" in html

    def test_month_grid(self, sign_in, events):
        url = f"{reverse('reports:calendar')}?month={events.day:%Y-%m}"
        response = sign_in("teacher").get(url)
        assert response.status_code == 200
        cells = [d for w in response.context["weeks"] for d in w["days"]]
        assert cells[0]["date"].weekday() == 0 and len(cells) % 7 == 0
        cell = next(d for d in cells if d["date"] == events.day)
        assert "日历测试例会" in " ".join(e.title for e in cell["entries"])

    def test_filter_by_kind(self, sign_in, events):
        response = sign_in("counselor").get(week_url(events.day, kind="meeting"))
        assert {e.kind for d in response.context["days"] for e in d["entries"]} == {"meeting"}
        response = sign_in("counselor").get(week_url(events.day, kind=["lecture", "theme"]))
        assert {e.kind for d in response.context["days"] for e in d["entries"]} == {
            "lecture",
            "theme",
        }

    def test_filter_by_department_keeps_school_wide(self, sign_in, events):
        response = sign_in("counselor").get(week_url(events.day, department=events.dept_a.pk))
        shown = titles(response)
        assert "日历测试乙科访谈" not in shown
        assert "日历测试全校展览" in shown  # no classes: school-wide
        assert any("日历测试讲座" in t for t in shown)  # a class of department A attends
        assert any("日历测试例会" in t for t in shown)  # committee meetings are school-wide
        response = sign_in("counselor").get(week_url(events.day, department=events.dept_b.pk))
        shown = titles(response)
        assert "日历测试乙科访谈" in shown and not any("日历测试讲座" in t for t in shown)

    def test_only_my_classes(self, sign_in, persona, events):
        teacher_class = persona("teacher").taught_classes.get()
        SessionClass.objects.filter(session=events.session).update(school_class=teacher_class)
        response = sign_in("teacher").get(week_url(events.day, mine=1))
        shown = titles(response)
        assert any("日历测试讲座" in t for t in shown) and "日历测试乙科访谈" not in shown

    @pytest.mark.parametrize(
        "who", ["counselor", "principal", "teacher", "member", "liaison", "student"]
    )
    def test_every_role_sees_the_calendar(self, sign_in, events, who):
        client = sign_in(who)
        assert client.get(reverse("reports:calendar")).status_code == 200
        response = client.get(week_url(events.day))
        assert response.status_code == 200 and "日历测试全校展览" in titles(response)
        assert client.get(reverse("reports:calendar-link")).status_code == 200

    def test_students_get_no_links_to_lecture_pages(self, sign_in, events):
        response = sign_in("student").get(week_url(events.day))
        lecture = next(
            e for d in response.context["days"] for e in d["entries"] if e.kind == "lecture"
        )
        assert lecture.url == ""
        response = sign_in("teacher").get(week_url(events.day))
        lecture = next(
            e for d in response.context["days"] for e in d["entries"] if e.kind == "lecture"
        )
        assert lecture.url == reverse("lectures:session-detail", args=[events.session.pk])

    def test_anonymous_is_sent_to_sign_in(self, client, world):
        for name in ("reports:calendar", "reports:calendar-week", "reports:calendar-link"):
            response = client.get(reverse(name))
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]

    def test_another_school_sees_none_of_it(self, client, events):
        other = SchoolFactory()
        SemesterFactory(school=other)
        user = UserFactory()
        RoleFactory(user=user, kind=Role.Kind.COUNSELOR, school=other)
        client.force_login(user)
        response = client.get(week_url(events.day))
        assert titles(response) == []

    def test_bad_parameters_fall_back(self, sign_in, events):
        client = sign_in("counselor")
        assert client.get(f"{reverse('reports:calendar')}?month=2026-13").status_code == 200
        response = client.get(week_url(events.day, kind="bogus", department="x"))
        assert response.status_code == 200 and titles(response)


def add_many(events, n, also=()):
    """n more of every kind in the same week, each theme event and lecture session with
    classes of both departments (and `also`)."""
    school, semester, day = events.school, events.semester, events.day
    design = ActivityDesign.objects.create(
        school=school,
        name=f"测试设计{n}",
        goal="g",
        target_group="t",
        duration_minutes=30,
        steps="s",
    )
    classes = [events.class_a, events.class_b, *also]
    for k in range(n):
        session = LectureSession.objects.create(
            lecture=events.lecture,
            number=100 + k,
            date=day,
            start_time=datetime.time(8, 0),
            end_time=datetime.time(9, 0),
            venue=events.venue,
        )
        SessionClass.objects.bulk_create(
            SessionClass(session=session, school_class=c, expected=40) for c in classes
        )
        event = ThemeEvent.objects.create(
            month=events.month,
            kind="talk",
            title=f"多{k}",
            date=day,
            venue=events.venue,
            start_time=datetime.time(12, 0),
            end_time=datetime.time(12, 30),
        )
        event.classes.add(*classes)
        ActivitySession.objects.create(
            design=design,
            semester=semester,
            date=day,
            start_time=datetime.time(9, 0),
            end_time=datetime.time(10, 0),
            school_class=classes[k % 2],
        )
        Meeting.objects.create(
            semester=semester,
            kind=Meeting.Kind.TRAINING,
            date=day,
            start_time=datetime.time(18, 0),
            end_time=datetime.time(19, 0),
            place="x",
        )


@pytest.mark.parametrize("query", ["", "&department={dept}", "&mine=1&kind=lecture&kind=theme"])
def test_month_queries_do_not_grow_with_events(sign_in, persona, events, query):
    client = sign_in("teacher")
    url = f"{reverse('reports:calendar')}?month={events.day:%Y-%m}" + query.format(
        dept=events.dept_a.pk
    )
    client.get(url)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as few:
        first = client.get(url)
    add_many(events, 25, also=[persona("teacher").taught_classes.get()])
    with CaptureQueriesContext(connection) as many:
        second = client.get(url)
    count = lambda r: sum(len(d["entries"]) for w in r.context["weeks"] for d in w["days"])  # noqa: E731
    assert count(second) >= count(first) + 25
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- The iCalendar feed --------------------------------------------------------------------


def feed_url(token):
    return reverse("reports:calendar-feed", args=[token])


def parse(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return Calendar.from_ical(response.content)


class TestFeed:
    def test_valid_icalendar_with_the_events(self, client, persona, events):
        token = CalendarToken.for_user(persona("counselor"))
        calendar = parse(client.get(feed_url(token.token)))
        vevents = list(calendar.walk("VEVENT"))
        by_summary = {str(e["SUMMARY"]): e for e in vevents}
        assert len({str(e["UID"]) for e in vevents}) == len(vevents)
        assert all("DTSTAMP" in e for e in vevents)

        lecture = next(e for s, e in by_summary.items() if "日历测试讲座" in s)
        assert lecture.decoded("DTSTART") == datetime.datetime.combine(
            events.day, datetime.time(14, 30), tzinfo=SHANGHAI
        )
        assert lecture.decoded("DTEND") == datetime.datetime.combine(
            events.day, datetime.time(16, 0), tzinfo=SHANGHAI
        )
        assert str(lecture["LOCATION"]) == "日历测试厅"
        assert str(lecture["UID"]).startswith(f"lecture-session-{events.session.pk}@")
        assert lecture["DTSTART"].params["TZID"] == "Asia/Shanghai"

        meeting = next(e for s, e in by_summary.items() if "日历测试例会" in s)
        assert (
            meeting.decoded("DTSTART").hour == 16 and str(meeting["LOCATION"]) == "日历测试会议室"
        )

        exhibition = by_summary["日历测试全校展览"]  # all day: a DATE, not a time
        assert exhibition.decoded("DTSTART") == events.day
        assert "LOCATION" not in exhibition
        # The time zone is described in the file for apps that need it.
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]

    def test_cancelled_events_say_so(self, client, persona, events):
        events.meeting.status = Meeting.Status.CANCELLED
        events.meeting.cancel_reason = "考试"
        events.meeting.save()
        token = CalendarToken.for_user(persona("counselor"))
        calendar = parse(client.get(feed_url(token.token)))
        meeting = next(e for e in calendar.walk("VEVENT") if "日历测试例会" in str(e["SUMMARY"]))
        assert str(meeting["STATUS"]) == "CANCELLED"

    def test_wrong_token_is_404(self, client, world):
        assert client.get(feed_url("x" * 43)).status_code == 404
        assert client.get(feed_url("short")).status_code == 404

    def test_reset_cuts_the_old_link(self, sign_in, persona, events):
        client = sign_in("teacher")
        page = client.get(reverse("reports:calendar-link"))
        old = CalendarToken.objects.get(user=persona("teacher")).token
        assert old in page.content.decode()
        client.post(reverse("reports:calendar-link-reset"))
        new = CalendarToken.objects.get(user=persona("teacher")).token
        assert new != old
        client.logout()
        assert client.get(feed_url(old)).status_code == 404
        parse(client.get(feed_url(new)))

    def test_token_alone_decides_whose_feed(self, sign_in, events):
        other = SchoolFactory()
        SemesterFactory(school=other)
        stranger = UserFactory()
        RoleFactory(user=stranger, kind=Role.Kind.COUNSELOR, school=other)
        token = CalendarToken.for_user(stranger)
        client = sign_in("counselor")  # signed in to the world's school: ignored by the feed
        calendar = parse(client.get(feed_url(token.token)))
        assert list(calendar.walk("VEVENT")) == []

    def test_inactive_user_feed_is_404(self, client, events):
        user = UserFactory()
        RoleFactory(user=user, kind=Role.Kind.COUNSELOR, school=events.school)
        token = CalendarToken.for_user(user)
        assert client.get(feed_url(token.token)).status_code == 200
        user.is_active = False
        user.save()
        assert client.get(feed_url(token.token)).status_code == 404

    def test_class_scoping_is_the_users(self, client, events):
        """A member's feed holds its meetings and the school-wide events, not another
        class's events (issue 12: every user's feed held the same events)."""
        department = DepartmentFactory(school=events.school)
        cls = SchoolClassFactory(department=department)
        member = UserFactory()
        RoleFactory(
            user=member, kind=Role.Kind.COMMITTEE_MEMBER, school=events.school, school_class=cls
        )
        calendar = parse(client.get(feed_url(CalendarToken.for_user(member).token)))
        summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
        assert not any("日历测试乙科访谈" in s for s in summaries)
        assert "日历测试全校展览" in summaries
        assert any("日历测试例会" in s for s in summaries)
