"""Home panels: the school administrator's week and semester, the liaison's department and
the class teacher's class in figures; counts only, small sensitive counts as "<3", nothing
for the system administrator; a fixed number of queries."""

import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer.services import coverage
from committees.network.figures import percent
from counseling.models import SchoolClass, Student
from tests.factories import UserFactory
from tests.reports.world import NOW, FiguresWorld


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield FiguresWorld()


def home(client, user):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("home")).content.decode()


def figure_text(html, key):
    """The displayed number of one figure card."""
    match = re.search(
        rf'data-key="{re.escape(key)}".*?<div class="stat">(?:<a [^>]*>)?([^<]+)', html, re.S
    )
    return match.group(1) if match else None


def alert_cells(html):
    table = re.search(r'<table class="table table-sm w-auto open-alerts">(.*?)</table>', html, re.S)
    return re.findall(r'<td class="text-end">([^<]*)</td>', table.group(1)) if table else None


def assert_no_student_names(html, world):
    for name in Student.objects.filter(school=world.school).values_list("name", flat=True):
        assert name not in html


def test_principal_sees_the_week_and_the_semester(client, world):
    html = home(client, world.principal)
    assert 'id="principal-dashboard"' in html
    assert figure_text(html, "lectures.sessions") == "2"
    assert figure_text(html, "committee.attendance_rate") == "75.0"
    assert figure_text(html, "coverage.classes_uncovered") == "1"
    assert html.count("<svg") >= 3
    assert "week-filing" in html
    assert_no_student_names(html, world)


def test_principal_open_alerts_by_level_and_grade_suppress_small_counts(client, world):
    html = home(client, world.principal)
    # Open: one orange (甲1) and one yellow (乙1), both of 2026: shown as "<3", never "1".
    assert alert_cells(html) == ["0", "&lt;3", "&lt;3"]


def test_principal_is_not_linked_to_pages_it_cannot_open(client, world):
    html = home(client, world.principal)
    assert reverse("committees:alert-list") not in html
    assert f"{reverse('committees:school-trend')}?semester=" in html


def test_counselor_gets_no_administrator_panel(client, world):
    html = home(client, world.counselor)
    assert 'id="principal-dashboard"' not in html


def test_sysadmin_sees_none_of_the_content(client, world):
    admin = UserFactory(username="w-root", is_superuser=True, is_staff=True)
    html = home(client, admin)
    assert 'id="principal-dashboard"' not in html
    assert "scoped-dashboard" not in html
    assert 'class="figure-grid' not in html and "figure-grid" not in html


def test_liaison_sees_its_department_with_small_counts_suppressed(client, world):
    html = home(client, world.liaison)
    assert 'data-scope="department"' in html
    assert "甲科" in html
    # 甲科: concerns 2 and one open alert: below 3 at the department level.
    assert figure_text(html, "barometer.concerns") == "&lt;3"
    assert figure_text(html, "barometer.alerts_open") == "&lt;3"
    # Lecture sessions held with 甲科's classes: session 1 only (乙1 was in session 2).
    assert figure_text(html, "lectures.sessions") == "1"
    assert figure_text(html, "committee.attendance_rate") == "100.0"
    assert figure_text(html, "suggestions.sent") == "3"
    assert_no_student_names(html, world)


def test_teacher_sees_its_class(client, world):
    html = home(client, world.teacher)
    assert 'data-scope="class"' in html
    assert "2026级甲1班" in html
    # 甲1 filed weeks 1-3 of 11 due: 27.3 %.
    assert figure_text(html, "barometer.completeness") == "27.3"
    assert figure_text(html, "barometer.concerns") == "&lt;3"
    assert figure_text(html, "lectures.sessions") == "1"
    assert_no_student_names(html, world)


def test_liaison_figures_leave_other_departments_out(client, world):
    html = home(client, world.liaison)
    assert "乙科" not in html.split('data-scope="department"', 1)[1]


@pytest.mark.parametrize("who", ["principal", "liaison", "teacher"])
def test_home_queries_the_same_for_a_small_and_a_large_school(client, world, who):
    user = getattr(world, who)
    home(client, user)
    with CaptureQueriesContext(connection) as small:
        home(client, user)
    with time_machine.travel(NOW, tick=False):
        world.grow(25)
    with CaptureQueriesContext(connection) as large:
        html = home(client, user)
    assert "figure-grid" in html
    assert len(small) == len(large)


def test_department_panel_counts_as_the_figures_of_its_classes_do(rf, world):
    """The liaison's panel reads alerts, the week's filing and the semester's filing in
    fewer queries than the figures' own functions: the same numbers all the same."""
    from committees import figures as committee_figures
    from counseling.permissions import access_of
    from reports import panels

    with time_machine.travel(NOW, tick=False):
        world.grow(5)
        request = rf.get("/")
        request.user = world.liaison
        week = world.semester.current_week()
        home = {"semester": world.semester, "week": week, "access": access_of(world.liaison)}
        panel = panels.liaison_panel(request, home)
        classes = list(SchoolClass.objects.filter(department=world.department, is_active=True))
        by_level = committee_figures.open_alerts_by_level(world.semester, classes)
        assert panel["alert_rows"] == panels._alert_rows(by_level)
        assert sum(sum(c.values()) for c in by_level.values()) > 0
        assert panel["week_filing"] == committee_figures.week_filing(world.semester, week, classes)
        due = coverage(world.semester, classes).total()
        shown = {f.key: f.value for f, _text, _link in panel["items"]}
        assert shown["barometer.completeness"] == percent(due["completeness"])
        assert shown["barometer.timeliness"] == percent(due["timeliness"])
