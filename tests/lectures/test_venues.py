"""Venues: never booked twice at overlapping times, by lectures, activities and theme
events alike; cancelling frees a slot; the venue pages."""

import datetime

import pytest
from django.urls import reverse

from counseling.errors import PortalError
from lectures.events import services as events_services
from lectures.events.models import Status
from lectures.models import (
    ActivityDesign,
    ActivitySession,
    SessionClass,
    ThemeEvent,
    ThemeMonth,
    Venue,
)
from tests.lectures.world import lecture_for, slot

T = datetime.time
D = datetime.date


# --- Venues ----------------------------------------------------------------------------


class TestVenues:
    def test_a_venue_booked_twice_is_refused(self, counted):
        first = lecture_for(counted, title="一")
        second = lecture_for(counted, title="二")
        events_services.create_series(
            first, counted["counselor"], slots=[slot(D(2026, 10, 12))], venue=counted["hall"]
        )
        with pytest.raises(PortalError) as error:
            events_services.create_series(
                second,
                counted["counselor"],
                slots=[slot(D(2026, 10, 12), T(15, 30), T(17, 0))],  # overlaps 15:30–16:00
                venue=counted["hall"],
            )
        assert error.value.code == "venue_taken"
        assert "Hall" in error.value.message
        assert not second.sessions.exists()
        # Back to back is not a clash, nor is another venue.
        events_services.create_series(
            second,
            counted["counselor"],
            slots=[slot(D(2026, 10, 12), T(16, 0), T(17, 0))],
            venue=counted["hall"],
        )

    @pytest.mark.parametrize("holder", ["lecture", "activity", "theme_event"])
    def test_a_booking_that_ends_as_another_starts_is_allowed(self, counted, holder):
        """13:00–14:30 before an existing 14:30–16:00 only touches it: no clash. A minute
        longer overlaps and is refused, whatever holds the venue."""
        day, hall, counselor = D(2026, 10, 12), counted["hall"], counted["counselor"]
        if holder == "lecture":
            events_services.create_series(
                lecture_for(counted, title="一"), counselor, slots=[slot(day)], venue=hall
            )
        elif holder == "activity":
            ActivitySession.objects.create(
                design=ActivityDesign.objects.create(
                    school=counted["school"],
                    name="小船",
                    goal="g",
                    target_group="t",
                    duration_minutes=90,
                    steps="s",
                ),
                semester=counted["semester"],
                date=day,
                start_time=T(14, 30),
                end_time=T(16, 0),
                venue=hall,
                target_group="外地学生",
            )
        else:
            month = ThemeMonth.objects.create(
                school=counted["school"],
                semester=counted["semester"],
                month=D(2026, 10, 1),
                theme="t",
            )
            ThemeEvent.objects.create(
                month=month,
                kind=ThemeEvent.Kind.SONG,
                title="手语歌",
                date=day,
                start_time=T(14, 30),
                end_time=T(16, 0),
                venue=hall,
            )
        second = lecture_for(counted, title="二")
        with pytest.raises(PortalError) as error:
            events_services.create_series(
                second, counselor, slots=[slot(day, T(13, 0), T(14, 31))], venue=hall
            )
        assert error.value.code == "venue_taken"
        assert not second.sessions.exists()
        (before,) = events_services.create_series(
            second, counselor, slots=[slot(day, T(13, 0), T(14, 30))], venue=hall
        )
        assert (before.date, before.start_time, before.end_time) == (day, T(13, 0), T(14, 30))
        assert list(second.sessions.values_list("pk", flat=True)) == [before.pk]

    def test_lecture_and_activity_share_venues(self, counted):
        lecture = lecture_for(counted)
        events_services.create_series(
            lecture, counted["counselor"], slots=[slot(D(2026, 10, 14))], venue=counted["hall"]
        )
        design = ActivityDesign.objects.create(
            school=counted["school"],
            name="小船",
            goal="g",
            target_group="t",
            duration_minutes=45,
            steps="s",
        )
        activity = ActivitySession(
            design=design,
            semester=counted["semester"],
            date=D(2026, 10, 14),
            start_time=T(15, 0),
            end_time=T(15, 45),
            venue=counted["hall"],
            target_group="外地学生",
        )
        with pytest.raises(PortalError):
            events_services.check_venue(counted["hall"], activity.date, T(15, 0), T(15, 45))
        # And the other way round: a lecture cannot take a venue an activity holds.
        activity.venue = counted["room"]
        activity.save()
        other = lecture_for(counted, title="二")
        with pytest.raises(PortalError) as error:
            events_services.create_series(
                other,
                counted["counselor"],
                slots=[slot(D(2026, 10, 14))],
                venue=counted["room"],
                classes=[counted["classes"]["C"]],
            )
        assert "小船" in error.value.message

    def test_a_cancelled_session_frees_the_slot(self, counted):
        first = lecture_for(counted, title="一")
        (session,) = events_services.create_series(
            first, counted["counselor"], slots=[slot(D(2026, 10, 12))], venue=counted["hall"]
        )
        events_services.set_status(session, Status.CANCELLED, counted["counselor"])
        second = lecture_for(counted, title="二")
        events_services.create_series(
            second, counted["counselor"], slots=[slot(D(2026, 10, 12))], venue=counted["hall"]
        )
        # Planning the cancelled one again now finds the hall taken.
        with pytest.raises(PortalError) as error:
            events_services.set_status(session, Status.PLANNED, counted["counselor"])
        assert error.value.code == "venue_taken"
        session.refresh_from_db()
        assert session.status == Status.CANCELLED

    def test_a_cancelled_lecture_frees_its_sessions_slots(self, counted):
        first = lecture_for(counted, title="一")
        events_services.create_series(
            first, counted["counselor"], slots=[slot(D(2026, 10, 12))], venue=counted["hall"]
        )
        events_services.set_status(first, Status.CANCELLED, counted["counselor"])
        second = lecture_for(counted, title="二")
        events_services.create_series(
            second, counted["counselor"], slots=[slot(D(2026, 10, 12))], venue=counted["hall"]
        )

    def test_a_theme_event_holds_its_venue(self, counted):
        month = ThemeMonth.objects.create(
            school=counted["school"], semester=counted["semester"], month=D(2026, 11, 1), theme="t"
        )
        ThemeEvent.objects.create(
            month=month,
            kind=ThemeEvent.Kind.SONG,
            title="手语歌",
            date=D(2026, 11, 18),
            start_time=T(15, 30),
            end_time=T(17, 0),
            venue=counted["hall"],
        )
        with pytest.raises(PortalError):
            events_services.create_series(
                lecture_for(counted),
                counted["counselor"],
                slots=[slot(D(2026, 11, 18))],
                venue=counted["hall"],
            )

    def test_moving_a_session_checks_the_venue_without_itself(self, counted):
        lecture = lecture_for(counted)
        s1, s2 = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13))],
            venue=counted["hall"],
            classes=lecture.target_classes(),
        )
        classes = [r.school_class for r in s1.classes.all()]
        # Same slot, later end: only itself is there, so it is not a clash.
        events_services.update_session(
            s1,
            counted["counselor"],
            date=s1.date,
            start=T(14, 30),
            end=T(16, 30),
            venue=counted["hall"],
            classes=classes,
        )
        with pytest.raises(PortalError) as error:
            events_services.update_session(
                s1,
                counted["counselor"],
                date=s2.date,
                start=T(15, 0),
                end=T(16, 0),
                venue=counted["hall"],
                classes=classes,
            )
        assert error.value.code == "venue_taken"

    def test_moving_a_class_between_sessions_keeps_it_once(self, counted):
        lecture = lecture_for(counted)
        s1, s2 = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13))],
            venue=counted["hall"],
            classes=lecture.target_classes(),
        )
        target = s2.classes.first().school_class
        moved = events_services.update_session(
            s1,
            counted["counselor"],
            date=s1.date,
            start=s1.start_time,
            end=s1.end_time,
            venue=counted["hall"],
            classes=[r.school_class for r in s1.classes.all()] + [target],
        )
        assert moved == [target.name]
        rows = SessionClass.objects.filter(session__lecture=lecture, school_class=target)
        assert [r.session_id for r in rows] == [s1.pk]

    def test_moving_over_capacity_refused(self, counted):
        lecture = lecture_for(counted)
        s1, s2, _s3 = events_services.create_series(
            lecture,
            counted["counselor"],
            slots=[slot(D(2026, 10, 12)), slot(D(2026, 10, 13)), slot(D(2026, 10, 14))],
            venue=counted["room"],
            classes=lecture.target_classes(),
        )
        every = list(lecture.target_classes())
        with pytest.raises(PortalError) as error:
            events_services.update_session(
                s1,
                counted["counselor"],
                date=s1.date,
                start=s1.start_time,
                end=s1.end_time,
                venue=counted["room"],
                classes=every,
            )
        assert error.value.code == "too_many"
        assert s2.classes.exists()  # nothing moved


def test_venue_pages(sign_in, world):
    client = sign_in("counselor")
    response = client.post(
        reverse("lectures:venue-new"), {"name": "多功能厅", "capacity": 200, "is_active": "on"}
    )
    assert response.status_code == 302
    assert Venue.objects.get(school=world.school, name="多功能厅").capacity == 200
    response = client.post(reverse("lectures:venue-new"), {"name": "多功能厅", "capacity": 10})
    assert response.status_code == 400
    assert "多功能厅" in client.get(reverse("lectures:venue-list")).content.decode()
