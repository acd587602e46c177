"""make_bench_data: a small school, the same again from the same seed, nothing twice."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count

from committees.models import Attendance, Barometer, BarometerConcern, CommitteeMember
from counseling.models import School, SchoolClass, Student
from lectures.models import Feedback

TODAY = datetime.date(2026, 12, 1)  # week 14 of the autumn semester: weeks 1-13 filed


def build(prefix, seed=7, schools=1):
    call_command(
        "make_bench_data",
        schools=schools,
        seed=seed,
        classes=4,
        students=3,
        prefix=prefix,
        today=TODAY,
        verbosity=0,
    )
    return School.objects.filter(name__startswith=prefix)


def fingerprint(school):
    """Everything generated, with the ids and the prefix left out."""
    barometers = Barometer.objects.filter(school_class__department__school=school)
    return {
        "students": list(
            Student.objects.filter(school=school)
            .order_by("student_number")
            .values_list("student_number", "name", "gender", "out_of_town")
        ),
        "barometers": list(
            barometers.order_by("semester__first_monday", "school_class__name", "week").values_list(
                "school_class__name", "week", "weather", "nothing_to_report", "late"
            )
        ),
        "concerns": list(
            BarometerConcern.objects.filter(barometer__in=barometers)
            .order_by(
                "barometer__semester__first_monday",
                "barometer__week",
                "barometer__school_class__name",
                "kind",
            )
            .values_list("barometer__school_class__name", "barometer__week", "kind", "count")
        ),
        "attendance": sorted(
            Attendance.objects.filter(meeting__semester__school=school).values_list(
                "meeting__date", "member__school_class__name", "status"
            )
        ),
        "feedback": sorted(
            Feedback.objects.filter(lecture_session__lecture__school=school).values_list(
                "lecture_session__date", "satisfaction", "helped"
            )
        ),
    }


@pytest.mark.django_db
def test_small_school_has_a_year_of_data():
    (school,) = build("t1-")
    classes = SchoolClass.objects.filter(department__school=school)
    assert classes.count() == 4
    assert Student.objects.filter(school=school).count() == 12
    # One member per class and semester, one barometer per class and past teaching week:
    # spring has 18 teaching weeks, autumn 12 of weeks 1-13 (week 5 is a holiday).
    assert CommitteeMember.objects.filter(school_class__in=classes).count() == 8
    assert Barometer.objects.filter(school_class__in=classes).count() == 4 * (18 + 12)
    assert Attendance.objects.filter(member__school_class__in=classes).exists()
    assert Feedback.objects.filter(lecture_session__lecture__school=school).exists()


@pytest.mark.django_db
def test_same_seed_same_data_other_seed_other_data():
    (first,) = build("t2a-", seed=11)
    (again,) = build("t2b-", seed=11)
    (other,) = build("t2c-", seed=12)
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first)["barometers"] != fingerprint(other)["barometers"]


@pytest.mark.django_db
def test_running_twice_changes_nothing():
    build("t3-", schools=2)
    counts = (School.objects.count(), Barometer.objects.count(), Student.objects.count())
    build("t3-", schools=2)
    assert (School.objects.count(), Barometer.objects.count(), Student.objects.count()) == counts


@pytest.mark.django_db
def test_a_large_school_beside_the_ordinary_ones_leaves_them_as_they_were():
    """--large-schools adds a school of --large-classes classes (600 for the benchmarks;
    73 here, enough for more than five sessions a lecture) from its own seed."""
    (alone,) = build("t4a-", seed=5)
    call_command(
        "make_bench_data",
        schools=1,
        large_schools=1,
        large_classes=73,
        seed=5,
        classes=4,
        students=3,
        prefix="t4b-",
        today=TODAY,
        verbosity=0,
    )
    ordinary = School.objects.get(name="t4b-001 职业教育中心")
    large = School.objects.get(name="t4b-L001 职业教育中心")
    assert SchoolClass.objects.filter(department__school=large).count() == 73
    assert Student.objects.filter(school=large).count() == 73 * 3
    assert CommitteeMember.objects.filter(school_class__department__school=large).count() == 146
    assert fingerprint(alone) == fingerprint(ordinary)
    from lectures.models import LectureSession, SessionClass

    sessions = LectureSession.objects.filter(lecture__school=large)
    assert sessions.count() == 2 * 4 * 7  # two semesters, four lectures, ceil(73 / 12)
    seated = SessionClass.objects.filter(session__lecture__school=large)
    # Every class once in every lecture, at most a dozen and a few to a session.
    assert seated.count() == 2 * 4 * 73
    per_session = seated.values("session").annotate(n=Count("id")).values_list("n", flat=True)
    assert max(per_session) <= 12 + 73 % 12 + 1
    assert get_user_model().objects.filter(username="t4b-L001-t73").exists()


def test_a_large_school_needs_a_sane_class_count():
    with pytest.raises(CommandError):
        call_command("make_bench_data", schools=0, large_schools=1, large_classes=1000)
    with pytest.raises(CommandError):
        call_command("make_bench_data", schools=0)
