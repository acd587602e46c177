"""Planning a lecture's sessions: whole classes split over sessions within the venue's
seats, school days picked, and the series page that previews and saves."""

import datetime

import pytest
from django.urls import reverse

from counseling.errors import PortalError
from counseling.models import Semester
from lectures.events import services as events_services
from lectures.models import (
    LectureSession,
    SessionClass,
    Venue,
)
from tests.lectures.world import add_grade, lecture_for, make_class, new_lecture, slot

D = datetime.date


# --- Splitting classes over sessions ---------------------------------------------------


class TestSplit:
    def test_every_class_exactly_once_within_capacity(self, counted):
        classes = list(counted["classes"].values())
        bins = events_services.split_classes(classes, 3, 50)
        placed = [cls for group in bins for cls, _n in group]
        assert sorted(c.pk for c in placed) == sorted(c.pk for c in classes)
        assert all(sum(n for _c, n in group) <= 50 for group in bins)
        # Sizes come from the roster: 125 students in all.
        assert sum(n for group in bins for _c, n in group) == 125

    def test_balanced_for_similar_classes(self, counted):
        it = counted["departments"][0]
        classes = [make_class(it, f"N{i}", 2026, 50) for i in range(10)]
        bins = events_services.split_classes(classes, 5, 120)
        assert [len(group) for group in bins] == [2] * 5

    def test_a_class_larger_than_the_venue(self, counted):
        with pytest.raises(PortalError) as error:
            events_services.split_classes(list(counted["classes"].values()), 5, 35)
        assert error.value.code == "class_too_big"
        assert "A" in error.value.message and "35" in error.value.message

    def test_too_many_students(self, counted):
        with pytest.raises(PortalError) as error:
            events_services.split_classes(list(counted["classes"].values()), 2, 60)
        assert error.value.code == "too_many"
        assert "125" in error.value.message

    def test_fits_in_seats_but_not_without_breaking_a_class(self, counted):
        it = counted["departments"][0]
        classes = [make_class(it, f"S{i}", 2026, 60) for i in range(3)]
        with pytest.raises(PortalError) as error:
            events_services.split_classes(classes, 2, 100)  # 180 ≤ 200 seats, yet 60 + 60 > 100
        assert error.value.code == "no_fit"

    def test_create_series_splits_the_audience(self, counted, frozen):
        lecture = lecture_for(counted)  # 2026: A, B, D = 95 students
        sessions = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 9, 22)), slot(D(2026, 9, 23))],
            venue=counted["hall"],
            classes=lecture.target_classes(),
        )
        assert [s.number for s in sessions] == [1, 2]
        rows = SessionClass.objects.filter(session__lecture=lecture)
        assert sorted(r.school_class.name for r in rows) == ["A", "B", "D"]
        for s in sessions:
            assert s.expected <= counted["hall"].capacity
        assert sum(s.expected for s in sessions) == 95

    def test_nothing_half_written_when_a_slot_is_wrong(self, counted):
        lecture = lecture_for(counted)
        with pytest.raises(PortalError) as error:
            events_services.create_series(
                lecture,
                counted["counselor"],
                slots=[slot(D(2026, 9, 22)), slot(D(2027, 3, 1))],  # the second is after the term
                venue=counted["hall"],
            )
        assert error.value.code == "outside"
        assert not LectureSession.objects.filter(lecture=lecture).exists()
        assert not SessionClass.objects.filter(session__lecture=lecture).exists()

    def test_more_sessions_than_classes_refused(self, counted):
        lecture = lecture_for(counted)
        with pytest.raises(PortalError) as error:
            events_services.create_series(
                lecture,
                counted["counselor"],
                slots=[slot(D(2026, 9, 21 + i)) for i in range(4)],
                venue=counted["hall"],
                classes=lecture.target_classes(),
            )
        assert error.value.code == "more_sessions"
        assert not lecture.sessions.exists()

    def test_weekday_dates_skip_weekends_and_holidays(self, counted):
        semester = counted["semester"]
        # The seed: five sessions from Tuesday 22 September, the weekend skipped.
        assert events_services.weekday_dates(D(2026, 9, 22), 5, semester) == [
            D(2026, 9, 22),
            D(2026, 9, 23),
            D(2026, 9, 24),
            D(2026, 9, 25),
            D(2026, 9, 28),
        ]
        semester.breaks.create(name="国庆节", first_week=5, last_week=5)
        semester = Semester.objects.get(pk=semester.pk)
        # Week 5 (28 September – 4 October) has no teaching now.
        dates = events_services.weekday_dates(D(2026, 9, 24), 4, semester)
        assert dates == [D(2026, 9, 24), D(2026, 9, 25), D(2026, 10, 5), D(2026, 10, 6)]


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
    def lecture(self, lw):
        """A lecture for grade 2025: seven more classes of 20 (140 students), none planned.
        The world's first lecture holds the hall on 22 and 23 September, 14:30–16:00."""
        lw.grade_2025 = add_grade(lw, 2025, classes=7, students=20)
        return new_lecture(lw, title="新生适应", audience_years=[2025])

    @pytest.fixture
    def hall(self, lw):
        return lw.hall

    DATES = [D(2026, 12, 7), D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10), D(2026, 12, 11)]

    def test_the_form_comes_prefilled(self, sign_in, lecture):
        response = sign_in("counselor").get(reverse("lectures:series-new", args=[lecture.pk]))
        assert response.status_code == 200
        assert len(response.context["slots"].forms) == 5
        assert response.context["form"].initial["venue"].name == "学校报告厅"

    def test_fill_makes_one_row_per_school_day(self, sign_in, lecture, hall):
        data = series_post("fill", hall, [D(2026, 9, 22)], count=5)
        response = sign_in("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]), data
        )
        assert response.status_code == 200
        dates = [f.initial["date"] for f in response.context["slots"].forms]
        # The world's semester has no teaching in week 5 (28 September – 4 October).
        assert dates == [
            D(2026, 9, 22),
            D(2026, 9, 23),
            D(2026, 9, 24),
            D(2026, 9, 25),
            D(2026, 10, 5),
        ]

    def test_preview_writes_nothing(self, sign_in, lecture, hall):
        response = sign_in("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("preview", hall, self.DATES),
        )
        assert response.status_code == 200
        preview = response.context["preview"]
        assert preview["students"] == 140 and preview["classes"] == 7
        # 7 classes of 20: five sessions of whole classes, as even as that allows.
        assert sorted(s["seats"] for s in preview["sessions"]) == [20, 20, 20, 40, 40]
        assert all(s["seats"] <= 520 for s in preview["sessions"])
        assert not lecture.sessions.exists()
        assert 'id="series-preview"' in response.content.decode()

    def test_save_creates_the_sessions(self, sign_in, lecture, hall):
        response = sign_in("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]), series_post("save", hall, self.DATES)
        )
        assert response.status_code == 302
        assert lecture.sessions.count() == 5
        assert SessionClass.objects.filter(session__lecture=lecture).count() == 7

    def test_errors_are_clear_and_nothing_is_written(self, sign_in, lecture, lw):
        small = Venue.objects.create(school=lw.school, name="小会议室", capacity=25)
        response = sign_in("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("save", small, self.DATES),
        )
        assert response.status_code == 400
        assert "140" in response.context["error"]
        assert 'id="series-error"' in response.content.decode()
        assert not lecture.sessions.exists()

    def test_a_taken_hall_is_refused(self, sign_in, lecture, hall):
        # The world's first lecture holds the hall on 22 September, 14:30–16:00.
        dates = [D(2026, 9, 22), D(2026, 12, 8), D(2026, 12, 9), D(2026, 12, 10), D(2026, 12, 11)]
        response = sign_in("counselor").post(
            reverse("lectures:series-new", args=[lecture.pk]),
            series_post("save", hall, dates, start="15:00", end="16:00"),
        )
        assert response.status_code == 400
        assert "学校报告厅" in response.context["error"]
        assert not lecture.sessions.exists()

    def test_classes_on_internship_are_left_out(self, sign_in, lecture, hall, lw):
        from django.apps import apps

        Absence = apps.get_model("committees", "ClassAbsence")
        away = lw.grade_2025[0]
        Absence.objects.create(
            school_class=away, kind="internship", starts_on=D(2026, 12, 1), ends_on=D(2026, 12, 31)
        )
        client = sign_in("counselor")
        url = reverse("lectures:series-new", args=[lecture.pk])
        response = client.post(url, series_post("preview", hall, self.DATES))
        assert response.context["preview"]["classes"] == 6
        assert [c.pk for c in response.context["interns"]] == [away.pk]
        data = series_post("save", hall, self.DATES)
        del data["exclude_internship"]
        data["leave_out"] = [away.pk]
        client.post(url, data)
        placed = SessionClass.objects.filter(session__lecture=lecture)
        assert placed.count() == 6 and not placed.filter(school_class=away).exists()
