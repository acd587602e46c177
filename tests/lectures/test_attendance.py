"""Recording a session: who came, per class or in bulk, the lecture held when every session
is, and what cannot be recorded (future, cancelled)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from counseling.errors import PortalError
from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import (
    SessionClass,
)
from tests.lectures.world import NOW, lecture_for, slot

D = datetime.date


# --- Status and recording --------------------------------------------------------------


class TestStatusAndRecording:
    def series(self, counted, days=(12, 13)):
        lecture = lecture_for(counted)
        sessions = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 10, d)) for d in days],
            venue=counted["hall"],
            classes=lecture.target_classes(),
        )
        return lecture, sessions

    def test_recording_every_session_marks_the_lecture_held(self, counted, frozen):
        lecture, (s1, s2) = self.series(counted)
        row = s1.classes.first()
        events_services.record_session(
            s1, counted["counselor"], actual_by_class={row.school_class_id: row.expected - 2}
        )
        s1.refresh_from_db()
        lecture.refresh_from_db()
        assert s1.status == Status.HELD and lecture.status == Status.PLANNED
        events_services.record_session(s2, counted["counselor"], total=40, notes="秩序良好")
        s2.refresh_from_db()
        lecture.refresh_from_db()
        assert s2.actual == 40 and s2.notes == "秩序良好"
        assert lecture.status == Status.HELD

    def test_cancelling_a_lecture_keeps_held_sessions(self, counted, frozen):
        lecture, (s1, s2) = self.series(counted)
        events_services.record_session(s1, counted["counselor"], total=30)
        events_services.set_status(lecture, Status.CANCELLED, counted["counselor"])
        assert {s.pk: s.status for s in lecture.sessions.all()} == {
            s1.pk: Status.HELD,
            s2.pk: Status.CANCELLED,
        }

    def test_future_and_cancelled_sessions_are_not_recorded(self, counted, frozen):
        lecture, (s1, s2) = self.series(counted, days=(12, 13))
        late = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 12, 14))],
            venue=counted["hall"],
            classes=[counted["classes"]["C"]],
        )[0]
        with pytest.raises(PortalError) as error:
            events_services.record_session(late, counted["counselor"], total=10)
        assert error.value.code == "future"
        events_services.set_status(s2, Status.CANCELLED, counted["counselor"])
        with pytest.raises(PortalError) as error:
            events_services.record_session(s2, counted["counselor"], total=10)
        assert error.value.code == "cancelled"


# --- The recording page ----------------------------------------------------------------


class TestRecordingPages:
    @pytest.fixture
    def session(self, lw):
        """The world's first session (held on 22 September), its count wiped."""
        session = lw.sessions[0]
        SessionClass.objects.filter(session=session).update(actual=None)
        return session

    def test_per_class(self, sign_in, session):
        rows = list(session.classes.all())
        data = {"mode": "class", "notes": "第一排有同学迟到"}
        data.update({f"c{r.school_class_id}": r.expected - 1 for r in rows})
        response = sign_in("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), data
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.actual == sum(r.expected - 1 for r in rows)
        assert session.notes == "第一排有同学迟到"

    def test_in_bulk(self, sign_in, session):
        response = sign_in("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "total", "total": 7}
        )
        assert response.status_code == 302
        session.refresh_from_db()
        assert session.actual == 7

    def test_nothing_given_is_an_error(self, sign_in, session):
        response = sign_in("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "total"}
        )
        assert response.status_code == 400
        response = sign_in("counselor").post(
            reverse("lectures:session-record", args=[session.pk]), {"mode": "class"}
        )
        assert response.status_code == 400

    def test_a_future_session_is_refused(self, sign_in, lw):
        future = lw.planned  # 8 January 2027
        with time_machine.travel(NOW):
            response = sign_in("counselor").post(
                reverse("lectures:session-record", args=[future.pk]), {"mode": "total", "total": 5}
            )
        assert response.status_code == 400
        assert response.context["error"]
        future.refresh_from_db()
        assert future.status == Status.PLANNED
