"""The semester figures on the home and figures pages come from a stored count: read in a
fixed handful of queries, counted again after a write (a minute later, in the background)
and while the semester runs, shown with the time they were counted; a report's draft still
counts afresh."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from counseling.notifications.models import Notification
from reports.figures import snapshots
from reports.figures.tasks import refresh_figures
from reports.models import FigureSnapshot, Report, ReportVersion
from tests.reports.test_dashboards import figure_text
from tests.reports.world import NOW, FiguresWorld


@pytest.fixture
def world(db):
    with time_machine.travel(NOW, tick=False):
        yield FiguresWorld()


def get(client, user, url, when=NOW):
    with time_machine.travel(when, tick=False):
        # Signed in once per person and moment: the sign-in's queries are not the page's.
        if when != NOW or client.session.get("_auth_user_id") != str(user.pk):
            client.force_login(user)
        return client.get(url).content.decode()


def without_tokens(html):
    return re.sub(r'(csrfmiddlewaretoken" value|nonce)="[^"]*"', "", html)


def home(client, world, when=NOW):
    return get(client, world.principal, reverse("home"), when)


def overview(client, world):
    url = f"{reverse('reports:figures')}?semester={world.semester.pk}"
    return get(client, world.principal, url)


def counted_at(html):
    match = re.search(r"统计于 (\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d)", html)
    return match.group(1) if match else None


def chinese(moment):
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def end_member(client, world, member):
    """The counselor ends a member's service through the page, as a person would."""
    client.force_login(world.counselor)
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("committees:member-end", args=[member.pk]), {"reason": "转学"}
        )
    assert response.status_code in (200, 302)


def refuse_counting(monkeypatch):
    """From now on, counting a semester fails the test: the pages must read the snapshot."""

    def refuse(*args, **kwargs):
        raise AssertionError("the semester was counted during a page view")

    monkeypatch.setattr(snapshots, "gather", refuse)


@pytest.mark.parametrize("page", [home, overview])
def test_the_pages_read_the_snapshot_in_the_same_few_queries_at_two_sizes(
    client, world, monkeypatch, page
):
    page(client, world)  # the first view counts and stores
    assert FigureSnapshot.objects.filter(semester=world.semester).exists()
    refuse_counting(monkeypatch)
    with CaptureQueriesContext(connection) as small:
        page(client, world)
    with time_machine.travel(NOW, tick=False):
        world.grow(25)
    with CaptureQueriesContext(connection) as large:
        html = page(client, world)
    assert 'data-key="lectures.sessions"' in html
    assert len(small) == len(large)
    # The count itself is some seventy queries: none of it is left in the page.
    assert len(large) <= 20, [q["sql"][:80] for q in large.captured_queries]


@pytest.mark.parametrize("page", [home, overview])
def test_the_snapshot_shows_what_a_fresh_count_shows(client, world, page):
    """The principal's page from the stored figures is the page counted inline, to the
    byte: the same "<3" and the same weather counts left out of the charts."""
    fresh = page(client, world)
    stored = page(client, world)
    assert FigureSnapshot.objects.filter(semester=world.semester).exists()
    assert without_tokens(stored) == without_tokens(fresh)


def test_small_counts_stay_suppressed_for_the_principal_from_the_snapshot(client, world):
    home(client, world)
    html = home(client, world)
    # Open alerts by level and grade: one orange, one yellow, each shown as "<3".
    table = re.search(r"open-alerts\">(.*?)</table>", html, re.S).group(1)
    assert re.findall(r'<td class="text-end">([^<]*)</td>', table) == ["0", "&lt;3", "&lt;3"]
    # The weather chart leaves counts of 1 and 2 out for anyone but a counselor; the stored
    # figures keep them exact.
    data = FigureSnapshot.objects.get(semester=world.semester).data
    weather = data["charts"]["weather_by_week"]["counts"]
    assert any(0 < n < 3 for week in weather for n in week)
    assert figure_text(html, "barometer.alerts_raised") == "3"


def test_a_write_marks_the_snapshot_and_the_refresh_counts_it_again(
    client, world, django_capture_on_commit_callbacks
):
    assert figure_text(home(client, world), "committee.members") == "2"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        end_member(client, world, world.m1)
    assert len(queued) >= 1
    snapshot = FigureSnapshot.objects.get(semester=world.semester)
    assert snapshot.changed_at is None
    assert figure_text(home(client, world), "committee.members") == "1"


def test_until_the_refresh_runs_the_page_shows_the_old_count_and_its_time(
    client, world, django_capture_on_commit_callbacks
):
    home(client, world)
    with django_capture_on_commit_callbacks(execute=False):
        end_member(client, world, world.m1)
    snapshot = FigureSnapshot.objects.get(semester=world.semester)
    assert snapshot.changed_at is not None
    later = NOW + datetime.timedelta(minutes=90)
    html = home(client, world, when=later)
    assert figure_text(html, "committee.members") == "2"
    assert counted_at(html) == chinese(NOW)  # NOW is in Shanghai time
    # Beat's run finds the changed snapshot (its message lost) and counts it.
    with time_machine.travel(later, tick=False):
        refresh_figures()
    html = home(client, world, when=later)
    assert figure_text(html, "committee.members") == "1"
    assert counted_at(html) == chinese(later)


def test_a_request_that_writes_nothing_counted_leaves_the_snapshot_alone(client, world):
    notification = Notification.objects.create(
        recipient=world.principal, kind="test.note", title="通知", url="/"
    )
    home(client, world)
    with time_machine.travel(NOW, tick=False):
        client.post(reverse("notifications:open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at is not None  # a write, but not to what figures count
    assert FigureSnapshot.objects.get(semester=world.semester).changed_at is None


def test_beat_counts_running_semesters_again_once_their_count_is_old(world):
    with time_machine.travel(NOW, tick=False):
        snapshots.shown_figures(world.semester)
    an_hour_later = NOW + datetime.timedelta(minutes=61)
    with time_machine.travel(NOW + datetime.timedelta(minutes=30), tick=False):
        assert snapshots.due() == []
    with time_machine.travel(an_hour_later, tick=False):
        assert snapshots.due() == [world.semester.pk]
        refresh_figures()
    assert FigureSnapshot.objects.get(semester=world.semester).counted_at == an_hour_later


def test_a_semester_counted_after_its_end_is_left_alone(world):
    end = world.semester.last_day + datetime.timedelta(days=2)
    with time_machine.travel(datetime.datetime.combine(end, datetime.time(9)), tick=False):
        snapshots.shown_figures(world.semester)
    with time_machine.travel(
        datetime.datetime.combine(end + datetime.timedelta(days=30), datetime.time(9)),
        tick=False,
    ):
        assert snapshots.due() == []


def test_the_report_draft_counts_afresh_whatever_the_snapshot_says(client, world):
    home(client, world)  # stored: 2 members
    world.m1.ended_on = world.week_day(12)
    world.m1.save()  # a write outside any request: nothing marks the snapshot
    report = Report.objects.create(school=world.school, semester=world.semester)
    draft = ReportVersion.objects.create(report=report, number=1, title="学期报告")
    with time_machine.travel(NOW, tick=False):
        assert draft.figure_set()["committee.members"].value == 1
    assert figure_text(home(client, world), "committee.members") == "2"
