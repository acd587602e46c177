"""The counselor's week board, the trends and the member scorecards: coverage arithmetic
with holidays and internships, the states of a week, a fixed number of queries, who sees
alert marks, small-count suppression, reminders from the board."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer import services
from committees.board.queries import (
    FILED,
    LATE,
    MISSING,
    NOT_EXPECTED,
    PENDING,
    build_week_board,
    scorecards,
    served_weeks,
)
from committees.board.views import SCORECARD_PAGE
from committees.models import (
    Alert,
    Attendance,
    ClassAbsence,
    ConcernKind,
    Meeting,
    TalkTask,
    TrainingModule,
    Weather,
)
from counseling.notifications.models import Notification
from tests.board_world import DUE, NOW, World
from tests.factories import SemesterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db, clock):
    return World()


def states_in(response):
    """{class pk: state} from the board's tiles."""
    html = response.content.decode()
    return {
        int(pk): state for pk, state in re.findall(r'data-class="(\d+)" data-state="(\w+)"', html)
    }


def bars(svg):
    root = ET.fromstring(svg)
    return [e for e in root.iter() if e.get("class") == "bar"]


# --- Coverage arithmetic ----------------------------------------------------------------


class TestCoverage:
    @pytest.fixture
    def filed(self, world):
        a, b, c, d = world.classes
        world.away(c, 7, 20)  # internship from week 7 to the end
        # Three days of exams in week 9 do not excuse the week (a whole school week does).
        ClassAbsence.objects.create(
            school_class=d,
            kind=ClassAbsence.Kind.EXAMS,
            starts_on=world.semester.week_start(9),
            ends_on=world.semester.week_start(9) + datetime.timedelta(days=2),
        )
        for week in DUE:
            world.file(a, week)
        world.file(a, 5)  # during the holiday: not expected, counts for nothing
        for week in (1, 2, 3, 4):
            world.file(b, week)
        world.file(b, 6, late=True)
        for week in (1, 2, 3, 4, 6, 7, 8):  # 7 and 8 while on internship
            world.file(c, week)
        return world

    def test_expected_filed_and_on_time(self, filed):
        result = services.coverage(filed.semester, filed.classes, now=NOW)
        a, b, c, d = filed.classes
        assert services.due_weeks(filed.semester, NOW) == DUE
        # a, b and d are expected every due week; c until its internship (weeks 1-4, 6).
        assert result.total() == {
            "expected": 11 + 11 + 5 + 11,
            "filed": 11 + 5 + 5 + 0,
            "on_time": 11 + 4 + 5 + 0,
            "completeness": 21 / 38,
            "timeliness": 20 / 38,
        }
        by_class = result.by_class()
        assert by_class[a.pk]["completeness"] == 1  # the holiday filing adds nothing
        assert by_class[c.pk]["expected"] == 5
        assert by_class[c.pk]["completeness"] == 1  # 7 filings, 5 expected: still 100 %
        assert by_class[b.pk]["timeliness"] == 4 / 11
        assert 5 not in result.by_week()  # no teaching, nothing expected
        assert result.by_week()[7]["expected"] == 3  # c is away
        assert result.by_week()[7]["filed"] == 1  # c's filing on internship is not counted

    def test_never_above_100_percent(self, filed):
        result = services.coverage(filed.semester, filed.classes, now=NOW)
        for group in (result.by_week(), result.by_class(), result.by_department()):
            for rates in group.values():
                assert rates["filed"] <= rates["expected"]
                assert rates["completeness"] is None or 0 <= rates["completeness"] <= 1
                assert rates["timeliness"] is None or 0 <= rates["timeliness"] <= 1

    def test_board_of_a_week_counts_only_expected_classes(self, filed):
        board = build_week_board(filed.semester, filed.classes, 7, now=NOW)
        assert board.coverage["expected"] == 3
        assert board.coverage["filed"] == 1
        assert board.coverage["completeness"] == pytest.approx(1 / 3)
        board = build_week_board(filed.semester, filed.classes, 5, now=NOW)
        assert board.coverage == {
            "expected": 0,
            "filed": 0,
            "on_time": 0,
            "completeness": None,
            "timeliness": None,
        }


# --- States -------------------------------------------------------------------------------


class TestStates:
    @pytest.fixture
    def board_world(self, world):
        a, b, c, d = world.classes
        world.away(c, 7, 20)
        world.away(d, 7, 20)
        world.file(a, 6)
        world.file(b, 6, late=True)
        world.file(c, 6)
        world.file(a, 7)
        world.file(c, 7)  # filed while away: shown as filed, counted nowhere
        world.file(a, 5)  # during the holiday
        return world

    def get(self, client, world, week):
        client.force_login(world.counselor)
        response = client.get(reverse("committees:week-board"), {"week": week})
        assert response.status_code == 200
        return states_in(response)

    def test_filed_late_missing(self, client, board_world):
        a, b, c, d = board_world.classes
        assert self.get(client, board_world, 6) == {
            a.pk: FILED,
            b.pk: LATE,
            c.pk: FILED,
            d.pk: MISSING,
            board_world.elsewhere.pk: MISSING,
        }

    def test_not_expected_on_internship_and_holiday(self, client, board_world):
        a, b, c, d = board_world.classes
        states = self.get(client, board_world, 7)
        assert states[a.pk] == FILED
        assert states[b.pk] == MISSING
        assert states[c.pk] == FILED
        assert states[d.pk] == NOT_EXPECTED
        states = self.get(client, board_world, 5)
        assert states[a.pk] == FILED
        assert {states[b.pk], states[c.pk], states[d.pk]} == {NOT_EXPECTED}

    def test_the_open_week_is_pending_not_missing(self, client, board_world):
        a, b, c, d = board_world.classes
        states = self.get(client, board_world, 13)
        assert states == {
            a.pk: PENDING,
            b.pk: PENDING,
            c.pk: NOT_EXPECTED,  # away
            d.pk: NOT_EXPECTED,
            board_world.elsewhere.pk: PENDING,
        }

    def test_default_week_is_the_one_being_filed(self, client, board_world):
        client.force_login(board_world.counselor)
        response = client.get(reverse("committees:week-board"))
        assert response.context["week"] == 13
        assert response.context["previous_week"] == 12

    def test_filters(self, client, board_world):
        a, b, c, d = board_world.classes
        client.force_login(board_world.counselor)
        url = reverse("committees:week-board")
        states = states_in(client.get(url, {"week": 6, "state": MISSING}))
        assert set(states) == {d.pk, board_world.elsewhere.pk}
        states = states_in(
            client.get(url, {"week": 6, "department": board_world.other_department.pk})
        )
        assert set(states) == {board_world.elsewhere.pk}
        # Nonsense filters fall back to everything, never an error.
        assert len(states_in(client.get(url, {"week": "x", "state": "zz", "department": "-"})))

    def test_liaison_and_teacher_see_their_classes(self, client, board_world):
        a = board_world.classes[0]
        client.force_login(board_world.liaison)
        states = states_in(client.get(reverse("committees:week-board"), {"week": 6}))
        assert set(states) == {c.pk for c in board_world.classes}
        client.force_login(board_world.teacher)
        states = states_in(client.get(reverse("committees:week-board"), {"week": 6}))
        assert set(states) == {a.pk}

    def test_members_and_strangers_are_refused(self, client, board_world):
        member = board_world.member(board_world.classes[0])
        client.force_login(member.student.user)
        assert client.get(reverse("committees:week-board")).status_code == 403
        client.force_login(board_world.liaison)
        url = reverse("committees:class-trend", args=[board_world.elsewhere.pk])
        assert client.get(url).status_code == 404
        url = reverse("committees:department-trend", args=[board_world.other_department.pk])
        assert client.get(url).status_code == 404


# --- A fixed number of queries ------------------------------------------------------------


def test_week_board_queries_do_not_grow_with_classes(client, world):
    for n, cls in enumerate(world.classes):
        world.file(cls, 12, weather=1 + n, late=n == 1)
    world.away(world.classes[3], 10, 20)
    world.alert(world.classes[0], "a0", grade=Alert.Grade.RED)
    world.bulk_classes(6, prefix="前")  # 10 classes in the department (4 + 6), 11 in all
    client.force_login(world.counselor)
    url = reverse("committees:week-board")
    client.get(url)  # warm-up: session, settings row, content types
    with CaptureQueriesContext(connection) as few:
        response = client.get(url, {"week": 12})
    assert len(states_in(response)) == 11
    world.bulk_classes(190, prefix="后")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"week": 12})
    assert len(states_in(response)) == 201
    assert response.content.decode().count("alert-mark") > 40
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_scorecards_queries_do_not_grow_with_members(client, world):
    for cls in world.classes:
        world.member(cls)
    client.force_login(world.counselor)
    url = reverse("committees:scorecards")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert len(response.context["cards"]) == 4
    # Fewer than a page: every member is on it, whatever the page's size.
    for cls in world.bulk_classes(SCORECARD_PAGE - 6, prefix="卡"):
        world.member(cls)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert len(response.context["cards"]) == SCORECARD_PAGE - 2
    assert len(many) == len(few)


# --- Alerts: counselors only --------------------------------------------------------------


class TestAlertMarks:
    @pytest.fixture
    def alert(self, world):
        """An open alert on the teacher's class, which the liaison and the principal see too."""
        return world.alert(world.classes[0], "mark")

    def test_counselor_sees_alert_marks(self, client, world, alert):
        client.force_login(world.counselor)
        html = client.get(reverse("committees:week-board")).content.decode()
        assert html.count("alert-mark") == 1

    @pytest.mark.parametrize("who", ["principal", "liaison", "teacher"])
    def test_others_see_no_alert_marks(self, client, world, alert, who):
        client.force_login(getattr(world, who))
        response = client.get(reverse("committees:week-board"))
        assert response.status_code == 200
        assert alert.school_class_id in states_in(response)  # the class, not its alert
        html = response.content.decode()
        assert "alert-mark" not in html
        assert "bi-exclamation-triangle" not in html

    def test_class_trend_lists_alerts_for_counselors_only(self, client, world, alert):
        url = reverse("committees:class-trend", args=[alert.school_class_id])
        client.force_login(world.counselor)
        html = client.get(url).content.decode()
        assert 'id="alerts"' in html
        assert reverse("committees:alert-detail", args=[alert.pk]) in html
        for who in ("principal", "liaison", "teacher"):
            client.force_login(getattr(world, who))
            response = client.get(url)
            assert response.status_code == 200  # the class is theirs to see
            html = response.content.decode()
            assert 'id="alerts"' not in html
            assert reverse("committees:alert-detail", args=[alert.pk]) not in html

    def test_alert_marks_count_open_alerts_of_the_semester(self, client, world):
        a, b = world.classes[:2]
        world.alert(a, "x1", grade=Alert.Grade.RED)
        world.alert(a, "x2")
        world.alert(b, "x3", status=Alert.Status.CLOSED)
        board = build_week_board(world.semester, world.classes, 12, alerts=Alert.objects, now=NOW)
        rows = {r.school_class.pk: r for r in board.rows}
        assert (rows[a.pk].alerts, rows[a.pk].red_alerts) == (2, 1)
        assert rows[b.pk].alerts == 0
        board = build_week_board(world.semester, world.classes, 12, now=NOW)
        assert all(r.alerts == 0 for r in board.rows)


# --- Reminders from the board -------------------------------------------------------------


@pytest.fixture
def reminded(world):
    """Week 12, the latest due week: `a` and `b` filed, `c` and `d` did not, `elsewhere` is on
    internship. Of the members of `c` and `d`, three are to be reminded: not the one whose
    service ended, nor the one without an account, nor the member of a class that filed."""
    a, b, c, d = world.classes
    world.file(a, 12)
    world.file(b, 12)
    world.away(world.elsewhere, 10, 20)
    world.member(a)
    to_remind = [world.member(c), world.member(c), world.member(d)]
    world.member(d, ended_on=world.semester.week_start(11), end_reason="转学")
    no_account = world.member(d)
    no_account.student.user = None
    no_account.student.save()
    return to_remind


def test_remind_all_non_reporters(client, world, reminded):
    assert services.due_weeks(world.semester, NOW)[-1] == 12
    client.force_login(world.counselor)
    response = client.post(
        f"{reverse('committees:remind-missing')}?semester={world.semester.pk}",
        {"week": 12},
        follow=True,
    )
    assert response.status_code == 200
    sent = Notification.objects.filter(kind="committees.barometer_reminder")
    assert sorted(n.recipient_id for n in sent) == sorted(m.student.user_id for m in reminded)
    message = [str(m) for m in response.context["messages"]][0]
    assert "3" in message


@pytest.mark.parametrize("who", ["liaison", "principal", "teacher", "member"])
def test_only_counselors_remind(client, world, reminded, who):
    user = world.member(world.classes[2], role=True).student.user if who == "member" else None
    client.force_login(user or getattr(world, who))
    response = client.post(reverse("committees:remind-missing"), {"week": 12})
    assert response.status_code == 403
    assert not Notification.objects.filter(kind="committees.barometer_reminder").exists()


@pytest.mark.parametrize("week", ["5", "14", "x", ""])
def test_remind_refuses_a_holiday_or_a_week_to_come(client, world, reminded, week):
    client.force_login(world.counselor)
    response = client.post(reverse("committees:remind-missing"), {"week": week}, follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not Notification.objects.filter(kind="committees.barometer_reminder").exists()


# --- Small counts ---------------------------------------------------------------------------


class TestSmallCounts:
    @pytest.fixture
    def counted(self, world):
        a, b, c, d = world.classes
        world.file(a, 1, Weather.STORM, concerns={ConcernKind.STUDY: 2, ConcernKind.FAMILY: 7})
        for cls in (b, c, d):
            world.file(cls, 1, Weather.SUNNY, concerns={ConcernKind.FAMILY: 1})
        return world

    def pages(self, world):
        return [
            reverse("committees:department-trend", args=[world.department.pk]),
            reverse("committees:school-trend"),
        ]

    @staticmethod
    def week_row(html, week):
        row = re.search(
            rf"<tr[^>]*>\s*<td>{week}[^<]*(?:<span[^>]*>[^<]*</span>)?</td>(.*?)</tr>", html, re.S
        )
        return re.findall(r'class="text-end weather-count">([^<]*)</td>', row.group(1))

    @staticmethod
    def concern_cells(html):
        return re.findall(r'class="text-end concern-count">([^<]*)</td>', html)

    @pytest.mark.parametrize("who", ["liaison", "principal"])
    def test_non_counselors_see_less_than_three(self, client, counted, who):
        client.force_login(getattr(counted, who))
        for url in self.pages(counted):
            response = client.get(url)
            assert response.status_code == 200
            html = response.content.decode()
            # Sunny 3, storm 1 in week 1; study 2, family 10.
            assert self.week_row(html, "第1周") == ["3", "0", "0", "0", "&lt;3"]
            cells = self.concern_cells(html)
            assert cells[0] == "&lt;3" and cells[2] == "10"
            # The charts are drawn from the suppressed figures: no storm bar, no study bar.
            distribution = response.context["distribution_chart"]
            assert len(bars(distribution)) == 1
            concern = response.context["concern_chart"]
            assert len(bars(concern)) == len(ConcernKind.values) - 1
            assert "&lt;3" in concern

    def test_counselor_sees_exact_counts(self, client, counted):
        client.force_login(counted.counselor)
        for url in self.pages(counted):
            response = client.get(url)
            html = response.content.decode()
            assert self.week_row(html, "第1周") == ["3", "0", "0", "0", "1"]
            assert self.concern_cells(html)[0] == "2"
            assert "&lt;3" not in html
            assert len(bars(response.context["distribution_chart"])) == 2
            assert len(bars(response.context["concern_chart"])) == len(ConcernKind.values)

    def test_class_level_is_exact_for_the_teacher(self, client, counted):
        client.force_login(counted.teacher)
        url = reverse("committees:class-trend", args=[counted.classes[0].pk])
        html = client.get(url).content.decode()
        assert "&lt;3" not in html
        assert len(bars(client.get(url).context["concern_chart"])) == len(ConcernKind.values)


# --- Trends render with real data -----------------------------------------------------------


@pytest.mark.parametrize("who", ["counselor", "principal", "liaison", "teacher"])
def test_trend_pages_render_for_every_role(client, world, who):
    a, b = world.classes[:2]
    for week, weather in ((10, Weather.SUNNY), (11, Weather.RAIN), (12, Weather.OVERCAST)):
        world.file(a, week, weather, concerns={ConcernKind.STUDY: 4, ConcernKind.FAMILY: 3})
        world.file(b, week, Weather.PARTLY_CLOUDY, late=week == 12)
    client.force_login(getattr(world, who))
    board = client.get(reverse("committees:week-board"), {"week": 12})
    assert board.status_code == 200
    school = client.get(reverse("committees:school-trend"))
    assert school.status_code == 200
    first = re.search(r'href="/committees/board/class/(\d+)/', board.content.decode()).group(1)
    assert int(first) in {c.pk for c in [*world.classes, world.elsewhere]}
    trend = client.get(reverse("committees:class-trend", args=[a.pk]))
    assert trend.status_code == 200
    for name in ("weather_chart", "concern_chart"):
        root = ET.fromstring(trend.context[name])
        assert root.get("role") == "img"
    # Drawn from the filings: a point for each week filed, a bar for each concern named;
    # but a class's barometers are tier 2, not the school administrator's.
    weather = trend.context["weather_chart"]
    points = [week for week in (10, 11, 12) if f"<title>第{week}周 · " in weather]
    concerns = bars(trend.context["concern_chart"])
    drawn = sorted(int(b.findtext("{*}title").rsplit(": ", 1)[1]) for b in concerns)
    if who == "principal":
        assert (points, sum(drawn)) == ([], 0)
    else:
        assert points == [10, 11, 12]
        assert [v for v in drawn if v] == [3 * 3, 3 * 4]  # family, study over three weeks


# --- Scorecards -------------------------------------------------------------------------------


class TestScorecards:
    def test_arithmetic(self, world):
        a, b = world.classes[:2]
        for week in DUE:
            world.file(a, week)
        for week in (1, 2, 3, 4):
            world.file(b, week)
        world.file(b, 6, late=True)
        # Appointed on the Wednesday of week 3: answers for weeks 3, 4, 6 ... 12.
        late_comer = world.member(
            a, appointed_on=world.semester.week_start(3) + datetime.timedelta(days=2)
        )
        # Served weeks 1-7, ended on the Friday of week 8: its successor answers for week 8.
        ended = world.member(
            b, ended_on=world.semester.week_start(8) + datetime.timedelta(days=4), end_reason="转学"
        )
        steady = world.member(b)
        assert served_weeks(late_comer, DUE) == [3, 4, 6, 7, 8, 9, 10, 11, 12]
        assert served_weeks(ended, DUE) == [1, 2, 3, 4, 6, 7]

        module = TrainingModule.objects.create(school=world.school, title="倾听")
        TrainingModule.objects.create(school=world.school, title="保密", is_active=True)
        meetings = [
            Meeting.objects.create(
                semester=world.semester,
                kind=kind,
                date=world.semester.week_start(week) + datetime.timedelta(days=2),
                start_time=datetime.time(16),
                end_time=datetime.time(17),
                place="活动室",
                status=status,
            )
            for kind, week, status in [
                (Meeting.Kind.MEETING, 1, Meeting.Status.HELD),
                (Meeting.Kind.TRAINING, 2, Meeting.Status.HELD),
                (Meeting.Kind.MEETING, 3, Meeting.Status.HELD),
                (Meeting.Kind.TRAINING, 4, Meeting.Status.PLANNED),  # not held: not counted
            ]
        ]
        meetings[1].modules.add(module)
        for meeting, status in zip(
            meetings, ["present", "present", "absent", "present"], strict=True
        ):
            Attendance.objects.create(
                meeting=meeting, member=steady, status=status, recorded_by=world.counselor
            )
        for n in range(3):
            alert = world.alert(b, f"talk{n}")
            TalkTask.objects.create(alert=alert, member=steady, done_at=NOW if n < 2 else None)

        cards = scorecards(world.semester, [late_comer, ended, steady], now=NOW)
        assert cards[late_comer.pk].filing["expected"] == 9
        assert cards[late_comer.pk].filing["completeness"] == 1
        assert cards[ended.pk].filing == {
            "expected": 6,
            "filed": 5,
            "on_time": 4,
            "completeness": 5 / 6,
            "timeliness": 4 / 6,
        }
        card = cards[steady.pk]
        assert card.filing["expected"] == 11 and card.filing["filed"] == 5
        assert card.meetings == {"expected": 2, "attended": 1, "rate": 0.5}
        assert card.trainings == {"expected": 1, "attended": 1, "rate": 1.0}
        assert (card.modules_done, card.modules_total) == (1, 2)
        assert (card.talks_done, card.talks_total, card.talk_rate) == (2, 3, 2 / 3)
        assert cards[late_comer.pk].talk_rate is None

    def test_member_sees_its_own_scorecard(self, client, world):
        member = world.member(world.classes[0], role=True)
        url = reverse("committees:member-detail", args=[member.pk])
        for user in (member.student.user, world.counselor):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            assert 'id="scorecard"' in response.content.decode()
        # The class teacher and the liaison see the page, not the scorecard.
        for user in (world.teacher, world.liaison):
            client.force_login(user)
            response = client.get(url)
            assert response.status_code == 200
            assert 'id="scorecard"' not in response.content.decode()

    @pytest.mark.parametrize("who", ["principal", "liaison", "teacher", "member"])
    def test_table_is_for_counselors(self, client, world, who):
        if who == "member":
            client.force_login(world.member(world.classes[0], role=True).student.user)
        else:
            client.force_login(getattr(world, who))
        assert client.get(reverse("committees:scorecards")).status_code == 403

    def test_table_lists_every_member(self, client, world):
        """Every member of the semester, ended or not; none of another semester."""
        a, b = world.classes[:2]
        members = [world.member(a), world.member(b), world.member(world.elsewhere)]
        members.append(world.member(b, ended_on=world.semester.week_start(4), end_reason="转学"))
        spring = SemesterFactory(school=world.school, first_monday=datetime.date(2026, 3, 2))
        world.member(a, semester=spring)
        client.force_login(world.counselor)
        response = client.get(reverse("committees:scorecards"))
        assert response.status_code == 200
        # Paginated: every member counted; four fit on the first page.
        assert response.context["page"].paginator.count == len(members)
        assert {c.member.pk for c in response.context["cards"]} == {m.pk for m in members}


def test_nav_links(client, world):
    client.force_login(world.counselor)
    html = client.get(reverse("home")).content.decode()
    assert reverse("committees:week-board") in html and reverse("committees:scorecards") in html
    client.force_login(world.liaison)
    html = client.get(reverse("home")).content.decode()
    assert reverse("committees:week-board") in html
    assert reverse("committees:scorecards") not in html
    member = world.member(world.classes[0], role=True)
    client.force_login(member.student.user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("committees:barometer-file") in html  # the member's own page is there
    assert reverse("committees:week-board") not in html


def test_board_actions_by_role(sign_in, world):
    def board(user):
        return sign_in(user).get(reverse("committees:week-board")).content.decode()

    html = board(world.counselor)
    assert 'id="remind-missing"' in html
    assert 'id="export"' in html and 'id="export-sensitive"' in html
    html = board(world.liaison)
    assert 'id="export"' in html
    assert 'id="export-sensitive"' not in html and 'id="remind-missing"' not in html
    html = board(world.principal)
    assert 'id="export"' not in html and 'id="remind-missing"' not in html
    html = board(world.teacher)
    assert 'id="export"' not in html and 'id="remind-missing"' not in html
