"""Session rules that scripts/mutants.py found no test holding: each test here fails when
its rule is bent (the mutant named in its docstring)."""

import datetime

import pytest

from counseling.errors import PortalError
from lectures.events import services
from tests.lectures.world import lecture_for, slot

T = datetime.time
MONDAY = datetime.date(2026, 10, 12)


def test_two_sessions_of_a_series_may_follow_each_other_on_one_afternoon(counted):
    """slots-may-touch: a session ending at 14:30 and the next starting at 14:30 do not
    overlap, as a venue booked until 14:30 is free at 14:30."""
    lecture = lecture_for(counted)
    services.check_slots(
        lecture, [slot(MONDAY, T(13, 0), T(14, 30)), slot(MONDAY, T(14, 30), T(16, 0))]
    )


def test_two_sessions_of_a_series_that_overlap_are_refused(counted):
    """slots-overlap-refused: one lecturer cannot give two sessions at once."""
    lecture = lecture_for(counted)
    with pytest.raises(PortalError) as error:
        services.check_slots(
            lecture, [slot(MONDAY, T(14, 30), T(16, 0)), slot(MONDAY, T(15, 30), T(17, 0))]
        )
    assert error.value.code == "overlap"


def test_a_class_as_large_as_the_venue_fits_it(counted):
    """class-fits-a-full-venue: 40 students fill a 40-seat room; only a 41st is too many."""
    a = counted["classes"]["A"]  # 40 students
    assert services.split_classes([a], 1, 40) == [[(a, 40)]]
    with pytest.raises(PortalError) as error:
        services.split_classes([a], 1, 39)
    assert error.value.code == "class_too_big"


def test_a_negative_head_count_for_a_class_is_refused(counted, frozen):
    """attendance-not-negative: the service refuses it, whatever form sent it."""
    a = counted["classes"]["A"]
    (session,) = services.create_series(
        lecture_for(counted),
        counted["counselor"],
        slots=[slot(MONDAY)],
        venue=counted["hall"],
        classes=[a],
    )
    with pytest.raises(PortalError) as error:
        services.record_session(session, counted["counselor"], actual_by_class={a.pk: -1})
    assert error.value.code == "count"
    session.refresh_from_db()
    assert session.status != services.Status.HELD
