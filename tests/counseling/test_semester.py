"""Week arithmetic of a semester, its validation, and the grade of a class."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from counseling.models import SchoolClass, Semester, SemesterBreak
from tests.factories import SchoolClassFactory, SchoolFactory, SemesterBreakFactory, SemesterFactory

D = datetime.date
FIRST_MONDAY = D(2026, 8, 31)
LAST_SUNDAY = D(2027, 1, 17)


@pytest.fixture
def autumn(db):
    """20 weeks from Monday 31 August 2026, 国庆 in week 5 and exams in week 20."""
    semester = SemesterFactory(first_monday=FIRST_MONDAY, weeks=20)
    SemesterBreakFactory(semester=semester, name="国庆节", first_week=5, last_week=5)
    SemesterBreakFactory(
        semester=semester,
        name="期末考试",
        kind=SemesterBreak.Kind.EXAMS,
        first_week=20,
        last_week=20,
    )
    return semester


class TestWeekOf:
    @pytest.mark.parametrize(
        "day, week",
        [
            (D(2026, 8, 30), None),  # the Sunday before the first Monday
            (FIRST_MONDAY, 1),
            (D(2026, 9, 6), 1),  # first Sunday
            (D(2026, 9, 7), 2),  # second Monday
            (D(2026, 11, 29), 13),
            (D(2027, 1, 11), 20),  # last Monday
            (LAST_SUNDAY, 20),
            (D(2027, 1, 18), None),  # the Monday after
            (D(2020, 1, 1), None),
            (D(2030, 1, 1), None),
        ],
    )
    def test_week_of(self, autumn, day, week):
        assert autumn.week_of(day) == week

    def test_last_day_is_the_last_sunday(self, autumn):
        assert autumn.last_day == LAST_SUNDAY
        assert autumn.last_day.weekday() == 6
        assert autumn.contains(LAST_SUNDAY)
        assert not autumn.contains(LAST_SUNDAY + datetime.timedelta(days=1))
        assert not autumn.contains(FIRST_MONDAY - datetime.timedelta(days=1))

    def test_every_day_maps_to_its_week(self, autumn):
        for offset in range(autumn.weeks * 7):
            day = FIRST_MONDAY + datetime.timedelta(days=offset)
            week = autumn.week_of(day)
            assert week == offset // 7 + 1
            assert autumn.week_start(week) <= day <= autumn.week_end(week)

    def test_week_start_and_end(self, autumn):
        assert autumn.week_start(1) == FIRST_MONDAY
        assert autumn.week_end(1) == D(2026, 9, 6)
        assert autumn.week_start(20) == D(2027, 1, 11)
        assert autumn.week_end(20) == LAST_SUNDAY
        for number in (0, 21):
            with pytest.raises(ValueError):
                autumn.week_start(number)

    @pytest.mark.parametrize("number, odd", [(1, True), (2, False), (13, True), (20, False)])
    def test_odd_and_even(self, number, odd):
        assert Semester.is_odd(number) is odd

    def test_odd_even_of_a_date(self, autumn):
        assert Semester.is_odd(autumn.week_of(D(2026, 9, 3)))  # week 1
        assert not Semester.is_odd(autumn.week_of(D(2026, 9, 10)))  # week 2


class TestTeachingWeeks:
    def test_breaks_are_skipped(self, autumn):
        weeks = autumn.teaching_weeks()
        assert len(weeks) == 18
        assert 5 not in weeks and 20 not in weeks
        assert weeks[:5] == [1, 2, 3, 4, 6]
        assert autumn.non_teaching_weeks == frozenset({5, 20})

    def test_is_teaching_week(self, autumn):
        assert autumn.is_teaching_week(4)
        assert not autumn.is_teaching_week(5)
        assert not autumn.is_teaching_week(0)
        assert not autumn.is_teaching_week(21)

    def test_multi_week_break(self, db):
        semester = SemesterFactory(weeks=10)
        SemesterBreakFactory(semester=semester, first_week=3, last_week=5)
        assert semester.teaching_weeks() == [1, 2, 6, 7, 8, 9, 10]

    def test_break_validation(self, autumn):
        backwards = SemesterBreak(semester=autumn, name="x", first_week=6, last_week=4)
        with pytest.raises(ValidationError):
            backwards.full_clean()
        too_late = SemesterBreak(semester=autumn, name="x", first_week=19, last_week=21)
        with pytest.raises(ValidationError):
            too_late.full_clean()
        SemesterBreak(semester=autumn, name="x", first_week=19, last_week=19).full_clean()


class TestCurrent:
    """The world's school has the 2025-2026 second semester (2 Mar-19 Jul 2026) and the autumn
    one (tests/personas.py)."""

    def test_inside_a_semester(self, world):
        semester = Semester.objects.current(world.school, on=D(2026, 11, 29))
        assert semester.name == "2026-2027学年第一学期"
        assert semester.current_week(D(2026, 11, 29)) == 13
        spring = Semester.objects.current(world.school, on=D(2026, 3, 2))
        assert spring.name == "2025-2026学年第二学期"
        assert spring.current_week(D(2026, 3, 2)) == 1

    def test_summer_gives_the_one_that_ended(self, world):
        semester = Semester.objects.current(world.school, on=D(2026, 8, 1))
        assert semester.name == "2025-2026学年第二学期"
        assert semester.current_week(D(2026, 8, 1)) is None

    def test_before_any_semester_gives_the_first(self, world):
        semester = Semester.objects.current(world.school, on=D(2020, 1, 1))
        assert semester.name == "2025-2026学年第二学期"

    def test_school_without_semesters(self, db):
        assert Semester.objects.current(SchoolFactory(), on=D(2026, 9, 1)) is None

    def test_today_is_shanghai_time(self, world):
        # 17:00 UTC on Sunday 30 August is already Monday 31 August in Shanghai: week 1.
        with time_machine.travel(datetime.datetime(2026, 8, 30, 17, 0, tzinfo=datetime.UTC)):
            semester = Semester.objects.current(world.school)
            assert semester.name == "2026-2027学年第一学期"
            assert semester.current_week() == 1
        with time_machine.travel(datetime.datetime(2026, 8, 30, 15, 0, tzinfo=datetime.UTC)):
            assert Semester.objects.current(world.school).current_week() is None

    def test_home_page_shows_the_week(self, client, world):
        client.force_login(world.counselor)
        with time_machine.travel(datetime.datetime(2026, 9, 8, 2, 0, tzinfo=datetime.UTC)):
            response = client.get(reverse("home"))
        assert response.status_code == 200
        assert response.context["week"] == 2
        assert response.context["semester"].name == "2026-2027学年第一学期"


class TestClean:
    def test_first_day_must_be_a_monday(self, db):
        semester = SemesterFactory.build(school=SchoolFactory(), first_monday=D(2026, 9, 1))
        with pytest.raises(ValidationError) as excinfo:
            semester.full_clean()
        assert "first_monday" in excinfo.value.message_dict

    @pytest.mark.parametrize("weeks", [0, 31])
    def test_weeks_in_range(self, db, weeks):
        semester = SemesterFactory.build(school=SchoolFactory(), weeks=weeks)
        with pytest.raises(ValidationError) as excinfo:
            semester.full_clean()
        assert "weeks" in excinfo.value.message_dict

    def test_overlap_is_refused(self, autumn):
        # Starts in autumn's last week.
        other = SemesterFactory.build(school=autumn.school, first_monday=D(2027, 1, 11), weeks=18)
        with pytest.raises(ValidationError):
            other.full_clean()
        # Ends in autumn's first week.
        earlier = SemesterFactory.build(school=autumn.school, first_monday=D(2026, 3, 2), weeks=27)
        with pytest.raises(ValidationError):
            earlier.full_clean()

    def test_adjacent_semesters_and_other_schools_are_fine(self, autumn):
        SemesterFactory.build(
            school=autumn.school, first_monday=D(2027, 1, 18), weeks=20
        ).full_clean()
        SemesterFactory.build(
            school=autumn.school, first_monday=D(2026, 3, 2), weeks=26
        ).full_clean()
        SemesterFactory.build(school=SchoolFactory(), first_monday=FIRST_MONDAY).full_clean()

    def test_editing_does_not_overlap_itself(self, autumn):
        autumn.weeks = 21
        autumn.full_clean()


class TestSemesterPages:
    def test_create_with_breaks(self, client, world):
        client.force_login(world.counselor)
        data = {
            "name": "2027-2028学年第一学期",
            "first_monday": "2027-08-30",
            "weeks": "20",
            "breaks-TOTAL_FORMS": "2",
            "breaks-INITIAL_FORMS": "0",
            "breaks-MIN_NUM_FORMS": "0",
            "breaks-MAX_NUM_FORMS": "1000",
            "breaks-0-name": "国庆节",
            "breaks-0-kind": "holiday",
            "breaks-0-first_week": "6",
            "breaks-0-last_week": "6",
            # The blank extra form, as a browser sends it: the select has a value.
            "breaks-1-kind": "holiday",
        }
        response = client.post(reverse("counseling:semester-new"), data)
        assert response.status_code == 302
        semester = Semester.objects.get(school=world.school, name="2027-2028学年第一学期")
        assert semester.non_teaching_weeks == frozenset({6})

    @pytest.mark.parametrize(
        "change",
        [
            {"first_monday": "2027-09-01"},  # a Wednesday
            {"first_monday": "2026-09-07"},  # overlaps the world's autumn semester
            {"name": "2026-2027学年第一学期"},  # name taken
            {"breaks-0-last_week": "25"},  # beyond the 20 weeks
        ],
    )
    def test_bad_input_is_a_form_error(self, client, world, change):
        client.force_login(world.counselor)
        data = {
            "name": "2027-2028学年第一学期",
            "first_monday": "2027-08-30",
            "weeks": "20",
            "breaks-TOTAL_FORMS": "1",
            "breaks-INITIAL_FORMS": "0",
            "breaks-MIN_NUM_FORMS": "0",
            "breaks-MAX_NUM_FORMS": "1000",
            "breaks-0-name": "国庆节",
            "breaks-0-kind": "holiday",
            "breaks-0-first_week": "6",
            "breaks-0-last_week": "6",
            **change,
        }
        before = Semester.objects.count()
        response = client.post(reverse("counseling:semester-new"), data)
        assert response.status_code == 200
        form, formset = response.context["form"], response.context["formset"]
        assert form.errors or any(f.errors for f in formset.forms)
        assert Semester.objects.count() == before


class TestGrade:
    @pytest.mark.parametrize(
        "year, on, grade",
        [
            (2026, D(2026, 9, 1), 1),
            (2026, D(2027, 7, 31), 1),
            (2026, D(2027, 8, 1), 2),
            (2025, D(2026, 11, 29), 2),
            (2024, D(2026, 11, 29), 3),
            (2024, D(2027, 3, 1), 3),
        ],
    )
    def test_grade(self, year, on, grade):
        assert SchoolClass(name="x", enrolment_year=year).grade(on) == grade

    def test_grade_defaults_to_today(self, db):
        cls = SchoolClassFactory(enrolment_year=2025)
        with time_machine.travel(datetime.datetime(2026, 10, 1, 12, tzinfo=datetime.UTC)):
            assert cls.grade() == 2

    @pytest.mark.parametrize("year", [1999, 2101])
    def test_enrolment_year_range(self, db, year):
        cls = SchoolClassFactory.build(department=SchoolClassFactory().department)
        cls.enrolment_year = year
        with pytest.raises(ValidationError):
            cls.full_clean()
