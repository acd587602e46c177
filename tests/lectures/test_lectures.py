"""Lectures and their sessions, as a counselor: the list and detail pages, a new lecture,
status changes, moving a session."""

import datetime

from django.urls import reverse

from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import (
    Lecture,
)
from tests.factories import (
    SchoolClassFactory,
    UserFactory,
)
from tests.lectures.world import add_grade, new_lecture, slot

D = datetime.date


# --- The pages, as a counselor ---------------------------------------------------------


class TestCounselorPages:
    def test_lecture_list_and_detail(self, sign_in, lw):
        new_lecture(lw, title="心窗打开，你的世界就会亮起来", audience=Lecture.Audience.SCHOOL)
        client = sign_in("counselor")
        response = client.get(reverse("lectures:lecture-list"))
        assert response.status_code == 200
        assert response.context["figures"]["sessions_held"] == 2
        html = response.content.decode()
        assert "成功从这里起步" in html and "心窗打开" in html
        detail = client.get(reverse("lectures:lecture-detail", args=[lw.lecture.pk]))
        assert detail.status_code == 200
        rows = detail.context["rows"]
        assert [r["session"].status for r in rows] == [Status.HELD] * 2 + [Status.PLANNED]
        assert detail.context["reach"]["classes"] == 4
        # Seats against the hall's 520.
        assert all(row["expected"] <= 520 for row in detail.context["rows"])
        assert "/520" in detail.content.decode()

    def test_new_lecture_for_a_grade(self, sign_in, world):
        client = sign_in("counselor")
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
        assert lecture.target_classes().count() == 4  # the world's four classes of 2026

    def test_new_lecture_needs_its_audience(self, sign_in, world):
        response = sign_in("counselor").post(
            reverse("lectures:lecture-new"),
            {"title": "x", "speaker": "y", "audience": "departments"},
        )
        assert response.status_code == 400
        assert "audience_departments" in response.context["form"].errors

    def test_another_schools_class_cannot_be_picked(self, sign_in, world):
        foreign = SchoolClassFactory()
        response = sign_in("counselor").post(
            reverse("lectures:lecture-new"),
            {"title": "x", "speaker": "y", "audience": "classes", "audience_classes": [foreign.pk]},
        )
        assert response.status_code == 400
        assert "audience_classes" in response.context["form"].errors

    def test_status_change(self, sign_in, lw):
        client = sign_in("counselor")
        lecture = lw.lecture
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

    def test_session_status_cancel_and_plan_again(self, sign_in, lw):
        client = sign_in("counselor")
        session = lw.planned  # 8 January 2027
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


def test_a_held_session_is_not_moved(sign_in, lw):
    url = reverse("lectures:session-edit", args=[lw.sessions[0].pk])
    response = sign_in("counselor").get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("lectures:session-detail", args=[lw.sessions[0].pk])


def test_session_edit_page(sign_in, lw):
    lecture, hall = lw.lecture, lw.hall
    s1, s2 = events_services.create_series(
        lecture,
        lecture.speaker_user,
        slots=[slot(D(2026, 12, 7)), slot(D(2026, 12, 8))],
        venue=hall,
        # Classes that sat none of its held sessions: those stay where they were recorded.
        classes=add_grade(lw, 2025, classes=2, students=5),
    )
    client = sign_in("counselor")
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


def test_user_without_role_is_refused(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("lectures:lecture-list")).status_code == 403
