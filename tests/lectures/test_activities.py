"""Group activities: the library of designs, sessions planned and recorded with them, the
venue they share with lectures, and how often and with whom a design was used."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from counseling.errors import PortalError
from counseling.models import Role, SchoolClass
from lectures.coverage import services as coverage_services
from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import ActivityDesign, ActivitySession, Lecture
from tests.factories import RoleFactory, UserFactory
from tests.lectures.world import new_design

D = datetime.date
T = datetime.time


@pytest.fixture
def semester(aw):
    return aw.semester


@pytest.fixture
def boat(aw):
    return aw.design


@pytest.fixture
def room(aw):
    return aw.room


@pytest.fixture
def persona(aw):
    """A persona of the world by name, as the demo's accounts were called."""
    return lambda name: aw.people()[name]


def session_data(**extra):
    data = {
        "date": "2026-12-15",
        "start_time": "15:00",
        "end_time": "15:45",
        "target_group": "",
    }
    data.update(extra)
    return data


def test_the_seed_designs_are_in_the_library(sign_in, aw):
    response = sign_in("counselor").get(reverse("lectures:activity-design-list"))
    assert response.status_code == 200
    names = {d.name for d in response.context["designs"]}
    assert {"汪洋中的一条小船", "接受父母法", "相亲相爱一家人"} <= names
    held = {d.name: d.held for d in response.context["designs"]}
    assert held["汪洋中的一条小船"] == 3 and held["相亲相爱一家人"] == 0


def test_design_detail_shows_how_often_and_with_whom(sign_in, boat):
    response = sign_in("teacher").get(reverse("lectures:activity-design-detail", args=[boat.pk]))
    assert response.status_code == 200
    assert response.context["held"] == 3
    assert response.context["participants"] == 3 * 5
    groups = response.context["groups"]
    assert len(groups) == 3 and all(g["sessions"] == 1 and g["people"] == 5 for g in groups)
    assert {g["audience"] for g in groups} == {
        c.name for c in SchoolClass.objects.filter(pk__in=boat.sessions.values("school_class"))
    }
    # A teacher reads the library but has no buttons to change it.
    assert response.context["can_manage"] is False
    assert "activity-session-new" not in response.content.decode()


def test_create_and_edit_a_design(sign_in, aw):
    client = sign_in("counselor")
    data = {
        "name": "情绪温度计",
        "goal": "认识自己的情绪",
        "target_group": "二年级班级",
        "duration_minutes": 40,
        "steps": "1. 热身\n2. 情绪卡片",
        "is_active": "on",
    }
    response = client.post(reverse("lectures:activity-design-new"), data)
    design = ActivityDesign.objects.get(school=aw.school, name="情绪温度计")
    assert response.status_code == 302
    response = client.post(reverse("lectures:activity-design-new"), data)
    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    response = client.post(
        reverse("lectures:activity-design-edit", args=[design.pk]),
        {**data, "duration_minutes": 45},
    )
    assert response.status_code == 302
    design.refresh_from_db()
    assert design.duration_minutes == 45
    assert sign_in("teacher").post(reverse("lectures:activity-design-new"), data).status_code == 403


class TestSessions:
    def test_plan_a_session_for_a_target_group(self, sign_in, boat, room, semester, persona):
        client = sign_in("counselor")
        response = client.post(
            reverse("lectures:activity-session-new", args=[boat.pk]) + f"?semester={semester.pk}",
            session_data(
                venue=room.pk,
                facilitators=[persona("counselor").pk, persona("counselor2").pk],
                target_group="外地一年级学生",
            ),
        )
        assert response.status_code == 302
        session = ActivitySession.objects.get(design=boat, date=D(2026, 12, 15))
        assert session.semester == semester
        assert session.audience == "外地一年级学生"
        assert session.facilitators.count() == 2
        assert session.status == Status.PLANNED

    def test_a_class_or_a_group_is_needed(self, sign_in, boat, persona):
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-new", args=[boat.pk]),
            session_data(facilitators=[persona("counselor").pk]),
        )
        assert response.status_code == 400
        assert "target_group" in response.context["form"].errors

    def test_outside_the_semester_refused(self, sign_in, boat, persona):
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-new", args=[boat.pk]),
            session_data(
                date="2027-03-10", facilitators=[persona("counselor").pk], target_group="x"
            ),
        )
        assert response.status_code == 400
        assert "date" in response.context["form"].errors

    def test_facilitators_are_staff_of_the_school(self, sign_in, boat, persona):
        outsider = RoleFactory(kind=Role.Kind.COUNSELOR).user
        for person in (outsider, persona("student"), persona("member")):
            response = sign_in("counselor").post(
                reverse("lectures:activity-session-new", args=[boat.pk]),
                session_data(facilitators=[person.pk], target_group="x"),
            )
            assert response.status_code == 400, person
            assert "facilitators" in response.context["form"].errors

    def test_the_venue_is_refused_when_a_lecture_holds_it(
        self, sign_in, boat, semester, persona, aw
    ):
        hall = aw.hall
        # The world's first lecture holds the hall on 22 September, 14:30–16:00.
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-new", args=[boat.pk]),
            session_data(
                date="2026-09-22",
                start_time="15:00",
                end_time="15:45",
                venue=hall.pk,
                facilitators=[persona("counselor").pk],
                target_group="x",
            ),
        )
        assert response.status_code == 400
        assert "学校报告厅" in response.context["error"]
        assert not ActivitySession.objects.filter(date=D(2026, 9, 22)).exists()

    def test_two_activities_in_one_room_refused_and_edit_keeps_its_own_slot(
        self, sign_in, boat, room, persona
    ):
        client = sign_in("counselor")
        data = session_data(venue=room.pk, facilitators=[persona("counselor").pk], target_group="x")
        client.post(reverse("lectures:activity-session-new", args=[boat.pk]), data)
        first = ActivitySession.objects.get(design=boat, date=D(2026, 12, 15))
        response = client.post(
            reverse("lectures:activity-session-new", args=[boat.pk]),
            {**data, "start_time": "15:30", "end_time": "16:30"},
        )
        assert response.status_code == 400
        # Editing the first in its own slot is not a clash with itself.
        response = client.post(
            reverse("lectures:activity-session-edit", args=[first.pk]),
            {**data, "end_time": "16:00"},
        )
        assert response.status_code == 302
        first.refresh_from_db()
        assert first.end_time == T(16, 0)

    def test_no_venue_no_check(self, sign_in, boat, persona):
        client = sign_in("counselor")
        data = session_data(facilitators=[persona("counselor").pk], target_group="x")
        for _ in range(2):
            assert (
                client.post(
                    reverse("lectures:activity-session-new", args=[boat.pk]), data
                ).status_code
                == 302
            )


class TestRecording:
    @pytest.fixture(autouse=True)
    def frozen(self):
        now = datetime.datetime(2026, 11, 29, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
        with time_machine.travel(now, tick=False):
            yield

    @pytest.fixture
    def planned(self, boat, semester, aw, persona):
        cls = aw.other_cls_b  # reached by no activity yet
        session = ActivitySession.objects.create(
            design=boat,
            semester=semester,
            date=D(2026, 11, 20),
            start_time=T(15, 0),
            end_time=T(15, 45),
            school_class=cls,
        )
        session.facilitators.add(persona("counselor"))
        return session

    def test_record_what_happened(self, sign_in, planned):
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-record", args=[planned.pk]),
            {
                "status": "held",
                "participants": 4,
                "what_happened": "大家互相扶持",
                "reflection": "班级凝聚力增强",
            },
        )
        assert response.status_code == 302
        planned.refresh_from_db()
        assert (planned.status, planned.participants) == (Status.HELD, 4)
        assert planned.reflection == "班级凝聚力增强"

    def test_held_needs_participants(self, sign_in, planned):
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-record", args=[planned.pk]), {"status": "held"}
        )
        assert response.status_code == 400
        assert "participants" in response.context["form"].errors

    def test_not_held_before_its_day(self, sign_in, boat, semester):
        later = ActivitySession.objects.create(
            design=boat,
            semester=semester,
            date=D(2027, 1, 5),
            start_time=T(15, 0),
            end_time=T(15, 45),
            target_group="x",
        )
        response = sign_in("counselor").post(
            reverse("lectures:activity-session-record", args=[later.pk]),
            {"status": "held", "participants": 3},
        )
        assert response.status_code == 400

    def test_a_cancelled_activity_frees_the_room(self, sign_in, planned, room, persona):
        planned.venue = room
        planned.save()
        client = sign_in("counselor")
        client.post(
            reverse("lectures:activity-session-record", args=[planned.pk]), {"status": "cancelled"}
        )
        planned.refresh_from_db()
        assert planned.status == Status.CANCELLED
        data = session_data(
            date="2026-11-20",
            venue=room.pk,
            facilitators=[persona("counselor").pk],
            target_group="x",
        )
        response = client.post(
            reverse("lectures:activity-session-new", args=[planned.design_id]), data
        )
        assert response.status_code == 302
        # Planning the cancelled one again: the room is taken now.
        response = client.post(
            reverse("lectures:activity-session-record", args=[planned.pk]), {"status": "planned"}
        )
        assert response.status_code == 400
        assert "心理辅导中心团体活动室" in response.context["error"]
        planned.refresh_from_db()
        assert planned.status == Status.CANCELLED

    def test_only_counselors_record(self, sign_in, planned):
        for username in ("teacher", "member", "principal", "student"):
            response = sign_in(username).post(
                reverse("lectures:activity-session-record", args=[planned.pk]),
                {"status": "held", "participants": 1},
            )
            assert response.status_code == 403, username


def test_activity_figures(semester):
    figures = ActivitySession.objects.for_semester(semester).figures()
    # Three 小船 sessions of 5, one 接受父母法 session of 4; 相亲相爱一家人 is planned.
    assert figures["sessions"] == 4
    assert figures["participants"] == 3 * 5 + 4
    assert {
        r["design__name"]: (r["sessions"], r["participants"]) for r in figures["by_design"]
    } == {
        "汪洋中的一条小船": (3, 15),
        "接受父母法": (1, 4),
    }


def test_an_activity_session_with_a_class_counts_for_coverage(world):
    """A class that nothing but a held activity reached is reached; a planned activity, or
    one for a target group, reaches no class."""
    design = new_design(world)
    when = {"date": D(2026, 10, 13), "start_time": T(15, 0), "end_time": T(15, 45)}
    ActivitySession.objects.create(
        design=design,
        semester=world.semester,
        school_class=world.other_cls_b,
        participants=5,
        status=Status.HELD,
        **when,
    )
    ActivitySession.objects.create(
        design=design, semester=world.semester, school_class=world.cls, **when
    )
    ActivitySession.objects.create(
        design=design,
        semester=world.semester,
        target_group="外地学生",
        participants=3,
        status=Status.HELD,
        **when,
    )
    assert coverage_services.classes_reached(world.semester) == {world.other_cls_b.pk}


def test_a_lecture_and_an_activity_cannot_share_a_slot(aw, semester, boat, room):
    """Through the services, both ways, on the same venue."""
    activity = ActivitySession.objects.filter(design=boat, venue=room).first()
    lecture = Lecture.objects.create(
        school=aw.school,
        semester=semester,
        title="小讲座",
        speaker="陈老师",
        audience=Lecture.Audience.CLASSES,
    )
    lecture.audience_classes.add(activity.school_class)
    with pytest.raises(PortalError):
        events_services.create_series(
            lecture,
            UserFactory(),
            slots=[(activity.date, activity.start_time, activity.end_time)],
            venue=room,
            classes=lecture.target_classes(),
        )
