"""gather() against a school counted by hand (tests/reports/world.py), part by part."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.figures import semester_figures
from counseling.models import Semester, Student
from reports.figures import KEYS, FigureSet, chart_svg, gather
from tests.factories import SchoolFactory
from tests.reports.world import DUE, NOW, FiguresWorld


@pytest.fixture
def world(db):
    return FiguresWorld()


@pytest.fixture
def figures(world):
    return gather(world.school, world.semester, now=NOW)


def values(figures, section):
    return {f.key.split(".", 1)[1]: f.value for f in figures.section(section)}


def consultation_keys(world):
    """The consultation room's keys, as its own module names them (after KEYS)."""
    return [item["key"] for item in semester_figures(world.school, world.semester)]


def test_every_key_is_gathered(world, figures):
    extra = consultation_keys(world)
    assert extra and all(key.startswith("consultations.") for key in extra)
    assert list(figures.figures) == list(KEYS) + extra


def test_lectures(figures):
    assert values(figures, "lectures") == {
        "lectures": 2,
        "lectures_held": 1,
        "sessions": 2,
        "attendance": 5,
        "classes_reached": 3,
        "students_reached": 7,
    }


def test_lecture_table(world, figures):
    a, b = figures.tables["lectures"]
    assert a["title"] == "适应新生活"
    assert (a["sessions"], a["attendance"], a["classes"], a["students"]) == (2, 5, 3, 7)
    assert a["first_date"] == world.s1.date.isoformat()
    assert a["last_date"] == world.s2.date.isoformat()
    assert a["by_department"] == [
        {"department": "乙科", "classes": 1, "students": 1},
        {"department": "甲科", "classes": 2, "students": 6},
    ]
    assert [row["classes"] for row in a["by_grade"]] == [3]
    assert (b["title"], b["sessions"], b["classes"], b["attendance"]) == ("情绪管理", 0, 0, 0)


def test_activities(figures):
    assert values(figures, "activities") == {"designs": 2, "sessions": 3, "participants": 22}
    rows = {(r["design"], r["target_group"]): r for r in figures.tables["activities"]}
    assert rows[("小船", "住宿生")]["participants"] == 8
    assert rows[("父母法", "住宿生")]["sessions"] == 1
    assert len(rows) == 3


def test_publicity(figures):
    assert values(figures, "publicity") == {
        "bulletin_issues": 1,
        "questions": 3,
        "questions_answered": 1,
        "open_letters": 2,
        "letter_classes": 2,
        "theme_months": 1,
        "theme_events": 2,
        "contest_entries": 3,
        "awards": 1,
    }
    kinds = [row["kind"] for row in figures.tables["publicity"]]
    assert kinds == ["bulletin", "letter", "letter", "theme_month", "contest"]


def test_committee(figures):
    assert values(figures, "committee") == {
        "members": 2,
        "classes_covered": 2,
        "meetings_planned": 2,
        "meetings_held": 1,
        "trainings_planned": 2,
        "trainings_held": 1,
        "attendance_rate": 75.0,
        "modules_completed": 2,
    }
    by_department = {r["department"]: r for r in figures.tables["committee_by_department"]}
    assert by_department["甲科"] | {} == {
        "department": "甲科",
        "members": 1,
        "expected": 2,
        "attended": 2,
        "rate": 100.0,
    }
    assert by_department["乙科"]["rate"] == 50.0
    meetings = figures.tables["meetings"]
    assert [m["status"] for m in meetings] == ["held", "held", "cancelled", "planned", "planned"]
    assert meetings[1]["modules"] == ["识别心理困扰"]
    assert (meetings[0]["expected"], meetings[0]["attended"]) == (2, 1)
    assert figures.charts["attendance_by_department"] == {
        "labels": ["乙科", "甲科"],
        "values": [50, 100],
    }


def test_barometer(figures):
    assert values(figures, "barometer") == {
        "filed": 4,
        "expected": 55,
        "completeness": 7.3,
        "timeliness": 5.5,
        "average_weather": 2.5,
        "concerns": 7,
        "alerts_raised": 3,
        "alerts_escalated": 1,
        "alerts_closed": 1,
        "alerts_open": 2,
        "immediate_reports": 1,
    }
    rows = {r["department"]: r for r in figures.tables["barometer_by_department"]}
    assert (rows["甲科"]["expected"], rows["甲科"]["filed"], rows["甲科"]["on_time"]) == (44, 3, 2)
    assert (rows["甲科"]["concerns"], rows["甲科"]["alerts"]) == (2, 2)
    assert (rows["乙科"]["concerns"], rows["乙科"]["alerts"]) == (5, 1)
    weeks = {r["week"]: r for r in figures.tables["barometer_by_week"]}
    assert list(weeks) == DUE
    assert (weeks[1]["filed"], weeks[1]["completeness"], weeks[1]["average_weather"]) == (
        2,
        40.0,
        3.0,
    )
    kinds = {r["kind"]: r["count"] for r in figures.tables["concerns_by_kind"]}
    assert (kinds["study"], kinds["family"], kinds["health"]) == (3, 4, 0)
    chart = figures.charts["weather_by_week"]
    assert chart["weeks"] == DUE
    assert chart["counts"][0] == [1, 0, 0, 0, 1]  # week 1: one sunny, one thunderstorm
    assert figures.charts["filing_by_week"]["completeness"][:3] == [40.0, 20.0, 20.0]


def test_suggestions(figures):
    assert values(figures, "suggestions") == {"sent": 3, "answered": 2, "median_days": 3.0}


def test_feedback(figures):
    assert values(figures, "feedback") == {
        "answers": 3,
        "average": 4.0,
        "lecture_answers": 2,
        "activity_answers": 1,
    }
    rows = {(r["kind"], r["title"]): r for r in figures.tables["feedback"]}
    assert rows[("lecture", "适应新生活")]["average"] == 4.5
    assert rows[("activity", "小船")]["answers"] == 1


def test_coverage(figures):
    assert values(figures, "coverage") == {
        "classes": 5,
        "classes_reached": 4,
        "classes_uncovered": 1,
    }
    assert figures.tables["uncovered_classes"] == [{"class": "2026级甲4班", "department": "甲科"}]


def test_sensitive_figures_are_marked(world, figures):
    sensitive = {f.key for f in figures if f.sensitive}
    consultations = {
        item["key"] for item in semester_figures(world.school, world.semester) if item["sensitive"]
    }
    assert consultations and "consultations.referrals" in consultations
    assert sensitive == consultations | {
        "barometer.concerns",
        "barometer.alerts_raised",
        "barometer.alerts_escalated",
        "barometer.alerts_closed",
        "barometer.alerts_open",
        "barometer.immediate_reports",
    }


def test_no_student_name_anywhere(world, figures):
    text = json.dumps(figures.as_snapshot(), ensure_ascii=False)
    names = list(Student.objects.filter(school=world.school).values_list("name", flat=True))
    assert names and not any(name in text for name in names)


def test_snapshot_behaves_the_same(figures):
    frozen = FigureSet.from_snapshot(json.loads(json.dumps(figures.as_snapshot())))
    for figure in figures:
        assert frozen[figure.key] == figure
        for counselor in (True, False):
            assert frozen[figure.key].display(counselor=counselor) == figure.display(
                counselor=counselor
            )
    assert frozen.tables == figures.tables
    for name in ("weather_by_week", "filing_by_week", "attendance_by_department"):
        assert chart_svg(frozen, name) == chart_svg(figures, name)
        assert chart_svg(figures, name).startswith("<svg")


def test_links_open_the_records(figures):
    semester = figures.semester_id
    assert figures["lectures.sessions"].url == (
        f"/reports/figures/lectures.sessions/?semester={semester}"
    )
    assert figures["committee.meetings_held"].url == f"/committees/schedule/?semester={semester}"
    # Every figure outside the consultation room (whose pages check access themselves and
    # list no semester's records) opens the records it counts.
    assert all(f.url for f in figures if f.section != "consultations")


def test_another_schools_semester_is_refused(world):
    with pytest.raises(ValueError):
        gather(SchoolFactory(), world.semester)


def fresh(semester):
    """The semester read again, so that nothing cached on the object hides a query."""
    return Semester.objects.select_related("school").get(pk=semester.pk)


def test_same_number_of_queries_small_and_large(world):
    semester = fresh(world.semester)
    with CaptureQueriesContext(connection) as small:
        gather(semester.school, semester, now=NOW)
    world.grow(25)
    semester = fresh(world.semester)
    with CaptureQueriesContext(connection) as large:
        figures = gather(semester.school, semester, now=NOW)
    assert figures["coverage.classes"].value == 30
    assert len(small) == len(large)


def test_weather_chart_leaves_small_counts_out_for_non_counselors(figures):
    # Every week's weather counts are 1 or 2 in this school: nothing drawn but for counselors.
    assert chart_svg(figures, "weather_by_week", counselor=True).count('class="bar"') == 4
    assert chart_svg(figures, "weather_by_week").count('class="bar"') == 0


def test_small_concern_counts_suppressed_in_tables_for_non_counselors(figures):
    rows = {r["kind"]: r for r in figures.display_rows("concerns_by_kind", counselor=False)}
    assert (rows["study"]["count"], rows["family"]["count"], rows["health"]["count"]) == (
        "3",
        "4",
        "0",
    )
    by_department = figures.display_rows("barometer_by_department", counselor=False)
    jia = next(r for r in by_department if r["department"] == "甲科")
    assert (jia["concerns"], jia["alerts"], jia["filed"]) == ("<3", "<3", "3")
    exact = figures.display_rows("barometer_by_department", counselor=True)
    assert next(r for r in exact if r["department"] == "甲科")["concerns"] == "2"
