"""Lectures: splitting classes over sessions, venues never booked twice, status changes,
recording attendance, uploads, coverage and the semester figures, and who may do what."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from counseling.errors import PortalError
from counseling.models import Role, SchoolClass, Semester
from lectures import scheduling, services
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Lecture,
    LectureSession,
    SessionClass,
    SessionFile,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from lectures.models.lectures import Status
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2026, 11, 29)
T = datetime.time
D = datetime.date
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 29, 10, 0, tzinfo=SHANGHAI), tick=False):
        yield


def make_class(department, name, year, students):
    cls = SchoolClassFactory(department=department, name=name, enrolment_year=year)
    StudentFactory.create_batch(students, school_class=cls)
    return cls


@pytest.fixture
def world(db):
    """A small school counted by hand: two departments, five classes, 125 students.

    信息科: A (2026, 40), B (2026, 30), C (2025, 20); 机电科: D (2026, 25), E (2024, 10).
    """
    school = SchoolFactory()
    semester = SemesterFactory(school=school)  # 2026-08-31, 20 weeks
    it = DepartmentFactory(school=school, name="信息科")
    me = DepartmentFactory(school=school, name="机电科")
    classes = {
        "A": make_class(it, "A", 2026, 40),
        "B": make_class(it, "B", 2026, 30),
        "C": make_class(it, "C", 2025, 20),
        "D": make_class(me, "D", 2026, 25),
        "E": make_class(me, "E", 2024, 10),
    }
    counselor = RoleFactory(kind=Role.Kind.COUNSELOR, school=school).user
    hall = Venue.objects.create(school=school, name="Hall", capacity=100)
    room = Venue.objects.create(school=school, name="Room", capacity=45)
    return {
        "school": school,
        "semester": semester,
        "classes": classes,
        "counselor": counselor,
        "hall": hall,
        "room": room,
        "departments": (it, me),
    }


def lecture_for(world, **extra):
    fields = {
        "school": world["school"],
        "semester": world["semester"],
        "title": "成功从这里起步",
        "speaker": "林老师",
        "audience": Lecture.Audience.GRADES,
        "audience_years": [2026],
    }
    fields.update(extra)
    return Lecture.objects.create(**fields)


AFTERNOON = (T(14, 30), T(16, 0))


def slot(day, start=AFTERNOON[0], end=AFTERNOON[1]):
    return (day, start, end)


# --- Splitting classes over sessions ---------------------------------------------------


class TestSplit:
    def test_every_class_exactly_once_within_capacity(self, world):
        classes = list(world["classes"].values())
        bins = services.split_classes(classes, 3, 50)
        placed = [cls for group in bins for cls, _n in group]
        assert sorted(c.pk for c in placed) == sorted(c.pk for c in classes)
        assert all(sum(n for _c, n in group) <= 50 for group in bins)
        # Sizes come from the roster: 125 students in all.
        assert sum(n for group in bins for _c, n in group) == 125

    def test_balanced_for_similar_classes(self, world):
        it = world["departments"][0]
        classes = [make_class(it, f"N{i}", 2026, 50) for i in range(10)]
        bins = services.split_classes(classes, 5, 120)
        assert [len(group) for group in bins] == [2] * 5

    def test_a_class_larger_than_the_venue(self, world):
        with pytest.raises(PortalError) as error:
            services.split_classes(list(world["classes"].values()), 5, 35)
        assert error.value.code == "class_too_big"
        assert "A" in error.value.message and "35" in error.value.message

    def test_too_many_students(self, world):
        with pytest.raises(PortalError) as error:
            services.split_classes(list(world["classes"].values()), 2, 60)
        assert error.value.code == "too_many"
        assert "125" in error.value.message

    def test_fits_in_seats_but_not_without_breaking_a_class(self, world):
        it = world["departments"][0]
        classes = [make_class(it, f"S{i}", 2026, 60) for i in range(3)]
        with pytest.raises(PortalError) as error:
            services.split_classes(classes, 2, 100)  # 180 ≤ 200 seats, yet 60 + 60 > 100
        assert error.value.code == "no_fit"

    def test_create_series_splits_the_audience(self, world, frozen):
        lecture = lecture_for(world)  # 2026: A, B, D = 95 students
        sessions = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 9, 22)), slot(D(2026, 9, 23))],
            venue=world["hall"],
            classes=lecture.target_classes(),
        )
        assert [s.number for s in sessions] == [1, 2]
        rows = SessionClass.objects.filter(session__lecture=lecture)
        assert sorted(r.school_class.name for r in rows) == ["A", "B", "D"]
        for s in sessions:
            assert s.expected <= world["hall"].capacity
        assert sum(s.expected for s in sessions) == 95

    def test_nothing_half_written_when_a_slot_is_wrong(self, world):
        lecture = lecture_for(world)
        with pytest.raises(PortalError) as error:
            services.create_series(
                lecture,
                world["counselor"],
                slots=[slot(D(2026, 9, 22)), slot(D(2027, 3, 1))],  # the second is after the term
                venue=world["hall"],
            )
        assert error.value.code == "outside"
        assert not LectureSession.objects.filter(lecture=lecture).exists()
        assert not SessionClass.objects.filter(session__lecture=lecture).exists()

    def test_more_sessions_than_classes_refused(self, world):
        lecture = lecture_for(world)
        with pytest.raises(PortalError) as error:
            scheduling.create_series(
                lecture,
                world["counselor"],
                slots=[slot(D(2026, 9, 21 + i)) for i in range(4)],
                venue=world["hall"],
                classes=lecture.target_classes(),
            )
        assert error.value.code == "more_sessions"
        assert not lecture.sessions.exists()

    def test_weekday_dates_skip_weekends_and_holidays(self, world):
        semester = world["semester"]
        # The seed: five sessions from Tuesday 22 September, the weekend skipped.
        assert scheduling.weekday_dates(D(2026, 9, 22), 5, semester) == [
            D(2026, 9, 22),
            D(2026, 9, 23),
            D(2026, 9, 24),
            D(2026, 9, 25),
            D(2026, 9, 28),
        ]
        semester.breaks.create(name="国庆节", first_week=5, last_week=5)
        semester = Semester.objects.get(pk=semester.pk)
        # Week 5 (28 September – 4 October) has no teaching now.
        dates = scheduling.weekday_dates(D(2026, 9, 24), 4, semester)
        assert dates == [D(2026, 9, 24), D(2026, 9, 25), D(2026, 10, 5), D(2026, 10, 6)]


# --- Venues ----------------------------------------------------------------------------


class TestVenues:
    def test_a_venue_booked_twice_is_refused(self, world):
        first = lecture_for(world, title="一")
        second = lecture_for(world, title="二")
        services.create_series(
            first, world["counselor"], slots=[slot(D(2026, 10, 12))], venue=world["hall"]
        )
        with pytest.raises(PortalError) as error:
            services.create_series(
                second,
                world["counselor"],
                slots=[slot(D(2026, 10, 12), T(15, 30), T(17, 0))],  # overlaps 15:30–16:00
                venue=world["hall"],
            )
        assert error.value.code == "venue_taken"
        assert "Hall" in error.value.message
        assert not second.sessions.exists()
        # Back to back is not a clash, nor is another venue.
        services.create_series(
            second,
            world["counselor"],
            slots=[slot(D(2026, 10, 12), T(16, 0), T(17, 0))],
            venue=world["hall"],
        )

    def test_lecture_and_activity_share_venues(self, world):
        lecture = lecture_for(world)
        services.create_series(
            lecture, world["counselor"], slots=[slot(D(2026, 10, 14))], venue=world["hall"]
        )
        design = ActivityDesign.objects.create(
            school=world["school"],
            name="小船",
            goal="g",
            target_group="t",
            duration_minutes=45,
            steps="s",
        )
        activity = ActivitySession(
            design=design,
            semester=world["semester"],
            date=D(2026, 10, 14),
            start_time=T(15, 0),
            end_time=T(15, 45),
            venue=world["hall"],
            target_group="外地学生",
        )
        with pytest.raises(PortalError):
            services.check_venue(world["hall"], activity.date, T(15, 0), T(15, 45))
        # And the other way round: a lecture cannot take a venue an activity holds.
        activity.venue = world["room"]
        activity.save()
        other = lecture_for(world, title="二")
        with pytest.raises(PortalError) as error:
            services.create_series(
                other,
                world["counselor"],
                slots=[slot(D(2026, 10, 14))],
                venue=world["room"],
                classes=[world["classes"]["C"]],
            )
        assert "小船" in error.value.message

    def test_a_cancelled_session_frees_the_slot(self, world):
        first = lecture_for(world, title="一")
        (session,) = services.create_series(
            first, world["counselor"], slots=[slot(D(2026, 10, 12))], venue=world["hall"]
        )
        services.set_status(session, Status.CANCELLED, world["counselor"])
        second = lecture_for(world, title="二")
        services.create_series(
            second, world["counselor"], slots=[slot(D(2026, 10, 12))], venue=world["hall"]
        )
        # Planning the cancelled one again now finds the hall taken.
        with pytest.raises(PortalError) as error:
            scheduling.change_status(session, Status.PLANNED, world["counselor"])
        assert error.value.code == "venue_taken"
        session.refresh_from_db()
        assert session.status == Status.CANCELLED

    def test_a_cancelled_lecture_frees_its_sessions_slots(self, world):
        first = lecture_for(world, title="一")
        services.create_series(
            first, world["counselor"], slots=[slot(D(2026, 10, 12))], venue=world["hall"]
        )
        services.set_status(first, Status.CANCELLED, world["counselor"])
        second = lecture_for(world, title="二")
        services.create_series(
            second, world["counselor"], slots=[slot(D(2026, 10, 12))], venue=world["hall"]
        )

    def test_a_theme_event_holds_its_venue(self, world):
        month = ThemeMonth.objects.create(
            school=world["school"], semester=world["semester"], month=D(2026, 11, 1), theme="t"
        )
        ThemeEvent.objects.create(
            month=month,
            kind=ThemeEvent.Kind.SONG,
            title="手语歌",
            date=D(2026, 11, 18),
            start_time=T(15, 30),
            end_time=T(17, 0),
            venue=world["hall"],
        )
        with pytest.raises(PortalError):
            services.create_series(
                lecture_for(world),
                world["counselor"],
                slots=[slot(D(2026, 11, 18))],
                venue=world["hall"],
            )

    def test_moving_a_session_checks_the_venue_without_itself(self, world):
        lecture = lecture_for(world)
        s1, s2 = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13))],
            venue=world["hall"],
            classes=lecture.target_classes(),
        )
        classes = [r.school_class for r in s1.classes.all()]
        # Same slot, later end: only itself is there, so it is not a clash.
        scheduling.update_session(
            s1,
            world["counselor"],
            date=s1.date,
            start=T(14, 30),
            end=T(16, 30),
            venue=world["hall"],
            classes=classes,
        )
        with pytest.raises(PortalError) as error:
            scheduling.update_session(
                s1,
                world["counselor"],
                date=s2.date,
                start=T(15, 0),
                end=T(16, 0),
                venue=world["hall"],
                classes=classes,
            )
        assert error.value.code == "venue_taken"

    def test_moving_a_class_between_sessions_keeps_it_once(self, world):
        lecture = lecture_for(world)
        s1, s2 = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13))],
            venue=world["hall"],
            classes=lecture.target_classes(),
        )
        target = s2.classes.first().school_class
        moved = scheduling.update_session(
            s1,
            world["counselor"],
            date=s1.date,
            start=s1.start_time,
            end=s1.end_time,
            venue=world["hall"],
            classes=[r.school_class for r in s1.classes.all()] + [target],
        )
        assert moved == [target.name]
        rows = SessionClass.objects.filter(session__lecture=lecture, school_class=target)
        assert [r.session_id for r in rows] == [s1.pk]

    def test_moving_over_capacity_refused(self, world):
        lecture = lecture_for(world)
        s1, s2, _s3 = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13)), slot(D(2026, 10, 14))],
            venue=world["room"],
            classes=lecture.target_classes(),
        )
        every = list(lecture.target_classes())
        with pytest.raises(PortalError) as error:
            scheduling.update_session(
                s1,
                world["counselor"],
                date=s1.date,
                start=s1.start_time,
                end=s1.end_time,
                venue=world["room"],
                classes=every,
            )
        assert error.value.code == "too_many"
        assert s2.classes.exists()  # nothing moved


# --- Status and recording --------------------------------------------------------------


class TestStatusAndRecording:
    def series(self, world, days=(12, 13)):
        lecture = lecture_for(world)
        sessions = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 10, d)) for d in days],
            venue=world["hall"],
            classes=lecture.target_classes(),
        )
        return lecture, sessions

    def test_recording_every_session_marks_the_lecture_held(self, world, frozen):
        lecture, (s1, s2) = self.series(world)
        row = s1.classes.first()
        services.record_session(
            s1, world["counselor"], actual_by_class={row.school_class_id: row.expected - 2}
        )
        s1.refresh_from_db()
        lecture.refresh_from_db()
        assert s1.status == Status.HELD and lecture.status == Status.PLANNED
        services.record_session(s2, world["counselor"], total=40, notes="秩序良好")
        s2.refresh_from_db()
        lecture.refresh_from_db()
        assert s2.actual == 40 and s2.notes == "秩序良好"
        assert lecture.status == Status.HELD

    def test_cancelling_a_lecture_keeps_held_sessions(self, world, frozen):
        lecture, (s1, s2) = self.series(world)
        services.record_session(s1, world["counselor"], total=30)
        services.set_status(lecture, Status.CANCELLED, world["counselor"])
        assert {s.pk: s.status for s in lecture.sessions.all()} == {
            s1.pk: Status.HELD,
            s2.pk: Status.CANCELLED,
        }

    def test_future_and_cancelled_sessions_are_not_recorded(self, world, frozen):
        lecture, (s1, s2) = self.series(world, days=(12, 13))
        late = scheduling.create_series(
            lecture,
            world["counselor"],
            slots=[slot(D(2026, 12, 14))],
            venue=world["hall"],
            classes=[world["classes"]["C"]],
        )[0]
        with pytest.raises(PortalError) as error:
            services.record_session(late, world["counselor"], total=10)
        assert error.value.code == "future"
        services.set_status(s2, Status.CANCELLED, world["counselor"])
        with pytest.raises(PortalError) as error:
            services.record_session(s2, world["counselor"], total=10)
        assert error.value.code == "cancelled"


# --- Coverage and figures --------------------------------------------------------------


@pytest.fixture
def semester_done(world, frozen):
    """Held: a lecture session with A and B (63 present), an activity with D (24).
    Not counted: a planned session with C, a cancelled one with E, an activity for a target
    group without a class, and last semester's lecture for E."""
    c = world["classes"]
    counselor = world["counselor"]
    lecture = lecture_for(world, audience=Lecture.Audience.SCHOOL, audience_years=[])
    s1, s2, s3 = scheduling.create_series(
        lecture,
        counselor,
        slots=[slot(D(2026, 10, 12)), slot(D(2026, 12, 14)), slot(D(2026, 10, 20))],
        venue=world["hall"],
        classes=[c["A"], c["B"], c["C"], c["E"]],
    )
    for s in (s1, s2, s3):
        SessionClass.objects.filter(session=s).delete()
    SessionClass.objects.bulk_create(
        [
            SessionClass(session=s1, school_class=c["A"], expected=40),
            SessionClass(session=s1, school_class=c["B"], expected=30),
            SessionClass(session=s2, school_class=c["C"], expected=20),
            SessionClass(session=s3, school_class=c["E"], expected=10),
        ]
    )
    services.record_session(
        s1, counselor, actual_by_class={c["A"].pk: 38, c["B"].pk: 25}, notes="ok"
    )
    services.set_status(s3, Status.CANCELLED, counselor)
    design = ActivityDesign.objects.create(
        school=world["school"],
        name="小船",
        goal="g",
        target_group="t",
        duration_minutes=45,
        steps="s",
    )
    held = ActivitySession.objects.create(
        design=design,
        semester=world["semester"],
        date=D(2026, 10, 15),
        start_time=T(15, 0),
        end_time=T(15, 45),
        school_class=c["D"],
        participants=24,
        status=Status.HELD,
    )
    held.facilitators.add(counselor)
    ActivitySession.objects.create(
        design=design,
        semester=world["semester"],
        date=D(2026, 10, 16),
        start_time=T(15, 0),
        end_time=T(15, 45),
        target_group="外地学生",
        participants=12,
        status=Status.HELD,
    )
    ActivitySession.objects.create(
        design=design,
        semester=world["semester"],
        date=D(2026, 12, 16),
        start_time=T(15, 0),
        end_time=T(15, 45),
        school_class=c["E"],
    )
    spring = SemesterFactory(school=world["school"], first_monday=D(2026, 3, 2), weeks=18)
    old = lecture_for(world, semester=spring, title="旧")
    (old_session,) = scheduling.create_series(
        old, counselor, slots=[slot(D(2026, 4, 1))], venue=world["hall"], classes=[c["E"]]
    )
    services.record_session(old_session, counselor, total=10)
    return {"lecture": lecture, "sessions": (s1, s2, s3), "design": design, "spring": spring}


class TestCoverageAndFigures:
    def test_coverage_against_a_hand_count(self, world, semester_done):
        data = services.coverage(world["semester"])
        assert data["classes"] == 5 and data["students"] == 125
        assert data["classes_reached"] == 3  # A, B (lecture), D (activity)
        assert data["students_reached"] == 40 + 30 + 25
        assert data["by_department"] == {
            "信息科": {"classes": 3, "classes_reached": 2, "students": 90, "students_reached": 70},
            "机电科": {"classes": 2, "classes_reached": 1, "students": 35, "students_reached": 25},
        }
        # Grades on the semester's first day: 2026 → 1, 2025 → 2, 2024 → 3.
        assert data["by_grade"] == {
            1: {"classes": 3, "classes_reached": 3, "students": 95, "students_reached": 95},
            2: {"classes": 1, "classes_reached": 0, "students": 20, "students_reached": 0},
            3: {"classes": 1, "classes_reached": 0, "students": 10, "students_reached": 0},
        }
        assert sorted(c.name for c in data["not_reached"]) == ["C", "E"]

    def test_series_reach(self, world, semester_done):
        assert services.series_reach(semester_done["lecture"]) == {"classes": 2, "students": 63}

    def test_lecture_figures(self, world, semester_done):
        s1 = semester_done["sessions"][0]
        figures = Lecture.objects.filter(school=world["school"]).for_semester(world["semester"])
        figures = figures.figures()
        assert figures["lectures"] == 1
        assert figures["lectures_held"] == 1
        assert figures["sessions_held"] == 1
        assert figures["attendance"] == 63
        assert [(r["pk"], r["n"]) for r in figures["per_session"]] == [(s1.pk, 63)]
        spring = Lecture.objects.for_semester(semester_done["spring"]).figures()
        assert (spring["sessions_held"], spring["attendance"]) == (1, 10)

    def test_activity_figures(self, world, semester_done):
        figures = ActivitySession.objects.for_semester(world["semester"]).figures()
        assert figures["sessions"] == 2
        assert figures["participants"] == 36
        assert figures["by_design"] == [{"design__name": "小船", "sessions": 2, "participants": 36}]
        assert figures["by_group"] == [
            {"target_group": "", "sessions": 1, "participants": 24},
            {"target_group": "外地学生", "sessions": 1, "participants": 12},
        ]

    def test_coverage_page(self, client, world, semester_done):
        client.force_login(world["counselor"])
        response = client.get(reverse("lectures:coverage"), {"semester": world["semester"].pk})
        assert response.status_code == 200
        assert response.context["data"]["classes_reached"] == 3
        html = response.content.decode()
        assert 'id="not-reached"' in html and ">C <" in html and ">E <" in html


# --- Pages and access ------------------------------------------------------------------


@pytest.fixture
def demo_objects(demo):
    lecture = Lecture.objects.get(school=demo, title="成功从这里起步")
    session = lecture.sessions.order_by("number").first()
    activity = ActivitySession.objects.filter(design__school=demo).order_by("date").first()
    item = SessionFile.objects.create(
        session=session,
        kind=SessionFile.Kind.SLIDES,
        title="课件",
        file=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 test"),
        uploaded_by=lecture.speaker_user,
    )
    (planned,) = scheduling.create_series(
        lecture,
        lecture.speaker_user,
        slots=[slot(D(2027, 1, 8))],
        venue=Venue.objects.get(school=demo, name="阶梯教室"),
        classes=[SchoolClass.objects.filter(department__school=demo).first()],
    )
    return {
        "lecture": lecture.pk,
        "session": session.pk,
        "planned": planned.pk,
        "venue": Venue.objects.filter(school=demo).first().pk,
        "design": activity.design_id,
        "activity": activity.pk,
        "file": item.pk,
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


OK, FORBIDDEN, LOGIN = 200, 403, 302
SEE = {
    "counselor": OK,
    "principal": OK,
    "liaison": OK,
    "teacher": OK,
    "member": OK,
    "student": FORBIDDEN,
    "admin": OK,
    "anonymous": LOGIN,
}
MANAGE = {
    "counselor": OK,
    "principal": FORBIDDEN,
    "liaison": FORBIDDEN,
    "teacher": FORBIDDEN,
    "member": FORBIDDEN,
    "student": FORBIDDEN,
    "admin": FORBIDDEN,
    "anonymous": LOGIN,
}
COUNSELORS = MANAGE
COVERAGE = {**MANAGE, "principal": OK}
ROLES = list(SEE)
MATRIX = [
    ("lectures:lecture-list", [], SEE),
    ("lectures:lecture-new", [], MANAGE),
    ("lectures:lecture-detail", ["lecture"], SEE),
    ("lectures:lecture-edit", ["lecture"], MANAGE),
    ("lectures:series-new", ["lecture"], MANAGE),
    ("lectures:session-detail", ["session"], SEE),
    ("lectures:session-edit", ["planned"], MANAGE),
    ("lectures:session-record", ["session"], MANAGE),
    ("lectures:session-upload", ["session"], MANAGE),
    ("lectures:session-file", ["file"], SEE),
    ("lectures:venue-list", [], MANAGE),
    ("lectures:venue-new", [], MANAGE),
    ("lectures:venue-edit", ["venue"], MANAGE),
    ("lectures:coverage", [], COVERAGE),
    ("lectures:activity-design-list", [], SEE),
    ("lectures:activity-design-new", [], MANAGE),
    ("lectures:activity-design-detail", ["design"], SEE),
    ("lectures:activity-design-edit", ["design"], MANAGE),
    ("lectures:activity-session-new", ["design"], MANAGE),
    ("lectures:activity-session-detail", ["activity"], SEE),
    ("lectures:activity-session-edit", ["activity"], MANAGE),
    ("lectures:activity-session-record", ["activity"], MANAGE),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", MATRIX, ids=[c[0].split(":")[1] for c in MATRIX])
def test_access_matrix(client, user_named, demo_objects, case, role):
    name, args, expected = case
    if role != "anonymous":
        client.force_login(user_named(role))
    url = reverse(name, args=[demo_objects[a] for a in args])
    response = client.get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "kwargs_of"),
    [
        ("lectures:feedback-results", lambda o: {"kind": "lecture", "pk": o["lecture"]}),
        ("lectures:feedback-results", lambda o: {"kind": "session", "pk": o["session"]}),
        ("lectures:feedback-results", lambda o: {"kind": "activity", "pk": o["activity"]}),
        ("lectures:feedback-qr", lambda o: {"kind": "session", "pk": o["session"]}),
        ("lectures:feedback-qr", lambda o: {"kind": "activity", "pk": o["activity"]}),
    ],
)
@pytest.mark.parametrize("role", ROLES)
def test_feedback_pages_are_for_counselors(client, user_named, demo_objects, name, kwargs_of, role):
    if role != "anonymous":
        client.force_login(user_named(role))
    response = client.get(reverse(name, kwargs=kwargs_of(demo_objects)))
    assert response.status_code == COUNSELORS[role], role


def test_every_events_url_is_in_the_matrix():
    _, resolver = get_resolver().namespace_dict["lectures"]
    from lectures import urls_events

    names = {f"lectures:{p.name}" for p in urls_events.urlpatterns}
    covered = {name for name, *_ in MATRIX} | {
        "lectures:feedback-results",
        "lectures:feedback-qr",
        # POST only, and public: tested on their own.
        "lectures:lecture-status",
        "lectures:session-status",
        "lectures:feedback-form",
        "lectures:feedback-thanks",
    }
    assert names <= covered, names - covered
    assert resolver is not None


@pytest.mark.parametrize("username", ["teacher", "member", "liaison", "principal"])
def test_school_roles_cannot_post_changes(client_as, demo_objects, username):
    client = client_as(username)
    for name, key in [
        ("lectures:lecture-status", "lecture"),
        ("lectures:session-status", "session"),
        ("lectures:session-record", "session"),
    ]:
        url = reverse(name, args=[demo_objects[key]])
        assert client.post(url, {"status": "cancelled", "total": 1}).status_code == 403


def test_another_schools_counselor_sees_nothing(client, demo_objects):
    stranger = RoleFactory(kind=Role.Kind.COUNSELOR).user
    SemesterFactory(school=Role.objects.get(user=stranger).school)
    client.force_login(stranger)
    for name, key in [
        ("lectures:lecture-detail", "lecture"),
        ("lectures:session-detail", "session"),
        ("lectures:session-record", "session"),
        ("lectures:session-file", "file"),
        ("lectures:activity-session-detail", "activity"),
    ]:
        assert client.get(reverse(name, args=[demo_objects[key]])).status_code == 404, name
    assert client.get(reverse("lectures:lecture-list")).context["rows"] == []


def test_menu_shows_lectures_to_school_roles_only(client_as):
    for username, shown in [("counselor", True), ("teacher", True), ("student", False)]:
        html = client_as(username).get(reverse("home")).content.decode()
        assert (f'href="{reverse("lectures:lecture-list")}"' in html) == shown, username
        assert (f'href="{reverse("lectures:venue-list")}"' in html) == (username == "counselor")


# --- The pages, as a counselor ---------------------------------------------------------


class TestCounselorPages:
    def test_lecture_list_and_detail(self, client_as, demo_objects):
        client = client_as("counselor")
        response = client.get(reverse("lectures:lecture-list"))
        assert response.status_code == 200
        assert response.context["figures"]["sessions_held"] >= 5
        html = response.content.decode()
        assert "成功从这里起步" in html and "心窗打开" in html
        detail = client.get(reverse("lectures:lecture-detail", args=[demo_objects["lecture"]]))
        assert detail.status_code == 200
        rows = detail.context["rows"]
        assert [r["session"].status for r in rows] == [Status.HELD] * 5 + [Status.PLANNED]
        assert detail.context["reach"]["classes"] == 24
        # Seats against the hall's 520.
        assert all(row["expected"] <= 520 for row in detail.context["rows"])
        assert "/520" in detail.content.decode()

    def test_new_lecture_for_a_grade(self, client_as, demo):
        client = client_as("counselor")
        response = client.post(
            reverse("lectures:lecture-new"),
            {
                "title": "适应新环境",
                "speaker": "陈老师",
                "audience": "grades",
                "years": ["2026"],
            },
        )
        lecture = Lecture.objects.get(title="适应新环境")
        assert response.status_code == 302
        assert response["Location"] == reverse("lectures:series-new", args=[lecture.pk])
        assert lecture.audience_years == [2026]
        assert lecture.target_classes().count() == 24

    def test_new_lecture_needs_its_audience(self, client_as, demo):
        response = client_as("counselor").post(
            reverse("lectures:lecture-new"),
            {"title": "x", "speaker": "y", "audience": "departments"},
        )
        assert response.status_code == 400
        assert "audience_departments" in response.context["form"].errors

    def test_another_schools_class_cannot_be_picked(self, client_as, demo):
        foreign = SchoolClassFactory()
        response = client_as("counselor").post(
            reverse("lectures:lecture-new"),
            {"title": "x", "speaker": "y", "audience": "classes", "audience_classes": [foreign.pk]},
        )
        assert response.status_code == 400
        assert "audience_classes" in response.context["form"].errors

    def test_status_change(self, client_as, demo_objects):
        client = client_as("counselor")
        lecture = Lecture.objects.get(pk=demo_objects["lecture"])
        url = reverse("lectures:lecture-status", args=[lecture.pk])
        assert client.post(url, {"status": "cancelled"}).status_code == 302
        lecture.refresh_from_db()
        assert lecture.status == Status.CANCELLED
        assert client.post(url, {"status": "nonsense"}).status_code == 302
        lecture.refresh_from_db()
        assert lecture.status == Status.CANCELLED
        client.post(url, {"status": "planned"})
        lecture.refresh_from_db()
        assert lecture.status == Status.PLANNED

    def test_session_status_cancel_and_plan_again(self, client_as, demo):
        client = client_as("counselor")
        lecture = Lecture.objects.get(school=demo, title="成功从这里起步")
        (session,) = scheduling.create_series(
            lecture,
            lecture.speaker_user,
            slots=[slot(D(2027, 1, 8))],
            venue=Venue.objects.get(school=demo, name="阶梯教室"),
            classes=[SchoolClass.objects.filter(department__school=demo).first()],
        )
        url = reverse("lectures:session-status", args=[session.pk])
        client.post(url, {"status": "cancelled"})
        session.refresh_from_db()
        assert session.status == Status.CANCELLED
        client.post(url, {"status": "held"})  # not a button: refused
        session.refresh_from_db()
        assert session.status == Status.CANCELLED
        client.post(url, {"status": "planned"})
        session.refresh_from_db()
        assert session.status == Status.PLANNED


# --- Planning a series in the browser's way ---------------------------------------------


def series_post(action, venue, dates, *, start="10:00", end="11:30", **extra):
    data = {
        "action": action,
        "venue": venue.pk,
        "count": len(dates),
        "first_date": dates[0].isoformat(),
        "start_time": start,
        "end_time": end,
        "exclude_internship": "on",
        "slot-TOTAL_FORMS": len(dates),
        "slot-INITIAL_FORMS": 0,
        "slot-MIN_NUM_FORMS": 1,
        "slot-MAX_NUM_FORMS": 20,
    }
    for i, day in enumerate(dates):
        data[f"slot-{i}-date"] = day.isoformat()
        data[f"slot-{i}-start_time"] = start
        data[f"slot-{i}-end_time"] = end
    data.update(extra)
    return data


class TestSeriesPage:
    @pytest.fixture
    def lecture(self, demo):
        return Lecture.objects.create(
            school=demo,
            semester=Semester.objects.get(school=demo, name="2026-2027学年第一学期"),
            title="新生适应",
            speaker="林老师",
            audience=Lecture.Audience.GRADES,
            audience_years=[2026],
        )

    @pytest.fixture
    def hall(self, demo):
        return Venue.objects.get(school=demo, name="学校报告厅")

    DATES = [D(2026, 12, 7), D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10), D(2026, 12, 11)]

    def test_the_form_comes_prefilled(self, client_as, lecture):
        response = client_as("counselor").get(reverse("lectures:series-new", args=[lecture.pk]))
        assert response.status_code == 200
        assert len(response.context["slots"].forms) == 5
        assert response.context["form"].initial["venue"].name == "学校报告厅"

    def test_fill_makes_one_row_per_school_day(self, client_as, lecture, hall):
        data = series_post("fill", hall, [D(2026, 9, 22)], count=5)
        response = client_as("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]), data
        )
        assert response.status_code == 200
        dates = [f.initial["date"] for f in response.context["slots"].forms]
        # The demo semester has no teaching in week 5 (28 September – 4 October).
        assert dates == [
            D(2026, 9, 22),
            D(2026, 9, 23),
            D(2026, 9, 24),
            D(2026, 9, 25),
            D(2026, 10, 5),
        ]

    def test_preview_writes_nothing(self, client_as, lecture, hall):
        response = client_as("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("preview", hall, self.DATES),
        )
        assert response.status_code == 200
        preview = response.context["preview"]
        assert preview["students"] == 1200 and preview["classes"] == 24
        # 24 classes of 50: five sessions of whole classes, as even as that allows.
        assert sorted(s["seats"] for s in preview["sessions"]) == [200, 250, 250, 250, 250]
        assert all(s["seats"] <= 520 for s in preview["sessions"])
        assert not lecture.sessions.exists()
        assert 'id="series-preview"' in response.content.decode()

    def test_save_creates_the_sessions(self, client_as, lecture, hall):
        response = client_as("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]), series_post("save", hall, self.DATES)
        )
        assert response.status_code == 302
        assert lecture.sessions.count() == 5
        assert SessionClass.objects.filter(session__lecture=lecture).count() == 24

    def test_errors_are_clear_and_nothing_is_written(self, client_as, lecture, demo):
        small = Venue.objects.get(school=demo, name="阶梯教室")  # 150 seats
        response = client_as("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("save", small, self.DATES),
        )
        assert response.status_code == 400
        assert "1200" in response.context["error"]
        assert 'id="series-error"' in response.content.decode()
        assert not lecture.sessions.exists()

    def test_a_taken_hall_is_refused(self, client_as, lecture, hall):
        # The demo's first lecture holds the hall on 22 September, 14:30–16:00.
        dates = [D(2026, 9, 22), D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10), D(2026, 12, 11)]
        response = client_as("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("save", hall, dates, start="15:00", end="16:00"),
        )
        assert response.status_code == 400
        assert "学校报告厅" in response.context["error"]
        assert not lecture.sessions.exists()

    def test_classes_on_internship_are_left_out(self, client_as, lecture, hall, demo):
        from django.apps import apps

        Absence = apps.get_model("committees", "ClassAbsence")
        away = SchoolClass.objects.filter(department__school=demo, enrolment_year=2026).first()
        Absence.objects.create(
            school_class=away, kind="internship", starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31)
        )
        client = client_as("counselor")
        url = reverse("lectures:series-new", args=[lecture.pk])
        response = client.post(url, series_post("preview", hall, self.DATES))
        assert response.context["preview"]["classes"] == 23
        assert [c.pk for c in response.context["interns"]] == [away.pk]
        data = series_post("save", hall, self.DATES)
        del data["exclude_internship"]
        data["leave_out"] = [away.pk]
        client.post(url, data)
        placed = SessionClass.objects.filter(session__lecture=lecture)
        assert placed.count() == 23 and not placed.filter(school_class=away).exists()


# --- Recording and uploads ---------------------------------------------------------------


class TestRecordingPages:
    @pytest.fixture
    def session(self, demo):
        session = LectureSession.objects.filter(lecture__school=demo, status=Status.HELD).first()
        SessionClass.objects.filter(session=session).update(actual=None)
        return session

    def test_per_class(self, client_as, session):
        rows = list(session.classes.all())
        data = {"mode": "class", "notes": "第一排有同学迟到"}
        data.update({f"c{r.school_class_id}": r.expected - 1 for r in rows})
        response = client_as("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), data
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.actual == sum(r.expected - 1 for r in rows)
        assert session.notes == "第一排有同学迟到"

    def test_in_bulk(self, client_as, session):
        response = client_as("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "total", "total": 200}
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.actual == 200

    def test_nothing_given_is_an_error(self, client_as, session):
        response = client_as("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "total"}
        )
        assert response.status_code == 400
        response = client_as("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "class"}
        )
        assert response.status_code == 400

    def test_a_future_session_is_refused(self, client_as, demo):
        lecture = Lecture.objects.get(school=demo, title="成功从这里起步")
        future = scheduling.create_series(
            lecture,
            lecture.speaker_user,
            slots=[slot(D(2027, 1, 8))],
            venue=Venue.objects.get(school=demo, name="阶梯教室"),
            classes=[SchoolClass.objects.filter(department__school=demo).first()],
        )[0]
        with time_machine.travel(datetime.datetime(2026, 11, 29, 10, tzinfo=SHANGHAI)):
            response = client_as("counselor").post(
                reverse("lectures:session-record", args=[future.pk]), {"mode": "total", "total": 5}
            )
        assert response.status_code == 400
        assert response.context["error"]
        future.refresh_from_db()
        assert future.status == Status.PLANNED

    def upload(self, client, session, name, content, kind="photo"):
        return client.post(
            reverse("lectures:session-upload", args=[session.pk]),
            {"kind": kind, "title": "现场", "file": SimpleUploadedFile(name, content)},
        )

    def test_a_photo_is_uploaded_and_served_to_school_roles_only(self, client_as, client, session):
        counselor = client_as("counselor")
        assert self.upload(counselor, session, "hall.png", PNG).status_code == 302
        item = SessionFile.objects.get(session=session)
        url = reverse("lectures:session-file", args=[item.pk])
        response = counselor.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content).startswith(b"\x89PNG")
        client.logout()
        assert client.get(url).status_code == 302
        assert client_as("student").get(url).status_code == 403
        assert client_as("teacher").get(url).status_code == 200

    def test_wrong_types_are_refused(self, client_as, session):
        client = client_as("counselor")
        for name, content, kind in [
            ("virus.exe", b"MZ\x90\x00", "other"),
            ("fake.png", b"MZ\x90\x00 not a picture", "photo"),
            ("slides.pdf", b"%PDF-1.4", "photo"),  # a photo must be a picture
            ("notes.txt", b"hello", "other"),
        ]:
            response = self.upload(client, session, name, content, kind)
            assert response.status_code == 400, name
            assert "file" in response.context["form"].errors, name
        assert not SessionFile.objects.filter(session=session).exists()

    def test_too_large_is_refused(self, client_as, session):
        big = b"%PDF" + b"\0" * (20 * 1024 * 1024)
        response = self.upload(client_as("counselor"), session, "big.pdf", big, "slides")
        assert response.status_code == 400
        assert "20 MB" in str(response.context["form"].errors["file"])
        assert not SessionFile.objects.filter(session=session).exists()


def test_venue_pages(client_as, demo):
    client = client_as("counselor")
    response = client.post(
        reverse("lectures:venue-new"), {"name": "多功能厅", "capacity": 200, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Venue.objects.get(school=demo, name="多功能厅").capacity == 200
    response = client.post(reverse("lectures:venue-new"), {"name": "多功能厅", "capacity": 10})
    assert response.status_code == 400
    assert "多功能厅" in client.get(reverse("lectures:venue-list")).content.decode()


def test_a_held_session_is_not_moved(client_as, demo_objects):
    url = reverse("lectures:session-edit", args=[demo_objects["session"]])
    response = client_as("counselor").get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "lectures:session-detail", args=[demo_objects["session"]]
    )


def test_session_edit_page(client_as, demo):
    lecture = Lecture.objects.get(school=demo, title="成功从这里起步")
    hall = Venue.objects.get(school=demo, name="学校报告厅")
    s1, s2 = scheduling.create_series(
        lecture,
        lecture.speaker_user,
        slots=[slot(D(2026, 12, 7)), slot(D(2026, 12, 8))],
        venue=hall,
        classes=list(SchoolClass.objects.filter(department__school=demo, enrolment_year=2025)[:4]),
    )
    client = client_as("counselor")
    url = reverse("lectures:session-edit", args=[s1.pk])
    assert client.get(url).status_code == 200
    classes = [r.school_class_id for r in s1.classes.all()]
    taken = {
        "date": "2026-09-22",  # the hall is taken then by this lecture's first session
        "start_time": "14:30",
        "end_time": "16:00",
        "venue": hall.pk,
        "classes": classes,
    }
    response = client.post(url, taken)
    assert response.status_code == 400 and "学校报告厅" in response.context["error"]
    moved = {**taken, "date": "2026-12-09"}
    assert client.post(url, moved).status_code == 302
    s1.refresh_from_db()
    assert s1.date == D(2026, 12, 9)


def test_user_without_role_is_refused(client, demo):
    client.force_login(UserFactory())
    assert client.get(reverse("lectures:lecture-list")).status_code == 403
