"""Coverage and the semester figures of lectures and activities, against a hand count."""

import datetime

import pytest
from django.urls import reverse

from lectures.coverage import services as coverage_services
from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    Lecture,
    SessionClass,
    ThemeEvent,
    ThemeMonth,
)
from tests.factories import (
    SemesterFactory,
)
from tests.lectures.world import lecture_for, slot

T = datetime.time
D = datetime.date


# --- Coverage and figures --------------------------------------------------------------


@pytest.fixture
def semester_done(counted, frozen):
    """Held: a lecture session with A and B (63 present), an activity with D (24).
    Not counted: a planned session with C, a cancelled one with E, an activity for a target
    group without a class, and last semester's lecture for E."""
    c = counted["classes"]
    counselor = counted["counselor"]
    lecture = lecture_for(counted, audience=Lecture.Audience.SCHOOL, audience_years=[])
    s1, s2, s3 = events_services.create_series(
        lecture,
        counselor,
        slots=[slot(D(2026, 10, 12)), slot(D(2026, 12, 14)), slot(D(2026, 10, 20))],
        venue=counted["hall"],
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
    events_services.record_session(
        s1, counselor, actual_by_class={c["A"].pk: 38, c["B"].pk: 25}, notes="ok"
    )
    events_services.set_status(s3, Status.CANCELLED, counselor)
    design = ActivityDesign.objects.create(
        school=counted["school"],
        name="小船",
        goal="g",
        target_group="t",
        duration_minutes=45,
        steps="s",
    )
    held = ActivitySession.objects.create(
        design=design,
        semester=counted["semester"],
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
        semester=counted["semester"],
        date=D(2026, 10, 16),
        start_time=T(15, 0),
        end_time=T(15, 45),
        target_group="外地学生",
        participants=12,
        status=Status.HELD,
    )
    ActivitySession.objects.create(
        design=design,
        semester=counted["semester"],
        date=D(2026, 12, 16),
        start_time=T(15, 0),
        end_time=T(15, 45),
        school_class=c["E"],
    )
    spring = SemesterFactory(school=counted["school"], first_monday=D(2026, 3, 2), weeks=18)
    old = lecture_for(counted, semester=spring, title="旧")
    (old_session,) = events_services.create_series(
        old, counselor, slots=[slot(D(2026, 4, 1))], venue=counted["hall"], classes=[c["E"]]
    )
    events_services.record_session(old_session, counselor, total=10)
    return {"lecture": lecture, "sessions": (s1, s2, s3), "design": design, "spring": spring}


class TestCoverageAndFigures:
    def test_coverage_against_a_hand_count(self, counted, semester_done):
        data = coverage_services.coverage(counted["semester"])
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
        assert sorted(c["name"] for c in data["not_reached"]) == ["C", "E"]

    def test_series_reach(self, counted, semester_done):
        assert events_services.series_reach(semester_done["lecture"]) == {
            "classes": 2,
            "students": 63,
        }

    def test_lecture_figures(self, counted, semester_done):
        s1 = semester_done["sessions"][0]
        figures = Lecture.objects.filter(school=counted["school"]).for_semester(counted["semester"])
        figures = figures.figures()
        assert figures["lectures"] == 1
        assert figures["lectures_held"] == 1
        assert figures["sessions_held"] == 1
        assert figures["attendance"] == 63
        assert [(r["pk"], r["n"]) for r in figures["per_session"]] == [(s1.pk, 63)]
        spring = Lecture.objects.for_semester(semester_done["spring"]).figures()
        assert (spring["sessions_held"], spring["attendance"]) == (1, 10)

    def test_activity_figures(self, counted, semester_done):
        figures = ActivitySession.objects.for_semester(counted["semester"]).figures()
        assert figures["sessions"] == 2
        assert figures["participants"] == 36
        assert figures["by_design"] == [{"design__name": "小船", "sessions": 2, "participants": 36}]
        assert figures["by_group"] == [
            {"target_group": "", "sessions": 1, "participants": 24},
            {"target_group": "外地学生", "sessions": 1, "participants": 12},
        ]

    def test_coverage_page(self, client, counted, semester_done):
        client.force_login(counted["counselor"])
        response = client.get(reverse("lectures:coverage"), {"semester": counted["semester"].pk})
        assert response.status_code == 200
        assert response.context["data"]["classes_reached"] == 3
        html = response.content.decode()
        assert 'id="not-reached"' in html and ">C <" in html and ">E <" in html


class TestClassesReached:
    """Each way of reaching a class counts on its own, and only once it has happened: the
    semester report's 'classes reached' comes from here."""

    def design(self, counted):
        return ActivityDesign.objects.create(
            school=counted["school"],
            name="小船",
            goal="g",
            target_group="t",
            duration_minutes=45,
            steps="s",
        )

    def test_a_held_lecture_session_reaches_its_classes(self, counted, frozen):
        c = counted["classes"]
        lecture = lecture_for(counted, audience=Lecture.Audience.SCHOOL, audience_years=[])
        held, planned = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 12, 14))],
            venue=counted["hall"],
            classes=[c["A"], c["C"]],
        )
        events_services.record_session(held, counted["counselor"], total=30)
        assert coverage_services.classes_reached(counted["semester"]) == {
            r.school_class_id for r in held.classes.all()
        }
        assert not {
            r.school_class_id for r in planned.classes.all()
        } & coverage_services.classes_reached(counted["semester"])

    def test_a_held_activity_with_a_class_reaches_it(self, counted):
        c, design = counted["classes"], self.design(counted)
        when = {"date": D(2026, 10, 15), "start_time": T(15, 0), "end_time": T(15, 45)}
        ActivitySession.objects.create(
            design=design,
            semester=counted["semester"],
            school_class=c["D"],
            participants=24,
            status=Status.HELD,
            **when,
        )
        ActivitySession.objects.create(
            design=design, semester=counted["semester"], school_class=c["E"], **when
        )
        ActivitySession.objects.create(
            design=design,
            semester=counted["semester"],
            school_class=c["A"],
            status=Status.CANCELLED,
            **when,
        )
        assert coverage_services.classes_reached(counted["semester"]) == {c["D"].pk}
        assert coverage_services.coverage(counted["semester"])["classes_reached"] == 1

    def test_a_theme_event_reaches_the_classes_taking_part(self, counted):
        c = counted["classes"]
        month = ThemeMonth.objects.create(
            school=counted["school"], semester=counted["semester"], month=D(2026, 11, 1), theme="t"
        )
        event = ThemeEvent.objects.create(
            month=month, kind=ThemeEvent.Kind.SONG, title="手语歌", date=D(2026, 11, 18)
        )
        event.classes.add(c["B"], c["E"])
        assert coverage_services.classes_reached(counted["semester"]) == {c["B"].pk, c["E"].pk}
