"""What follows a barometer, page by page: alerts and their follow-up (counselors only),
talk tasks (the member), course suggestions (liaison and member), class absences and the
school's barometer settings (counselors), and the links that lead there."""

import datetime

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from committees.barometer import services
from committees.models import (
    Alert,
    AlertNote,
    BarometerSettings,
    ClassAbsence,
    CourseSuggestion,
    TalkTask,
    Weather,
)
from counseling.audit import AuditEntry
from counseling.models import SchoolClass
from counseling.notifications.models import Notification
from tests.committees.members import appoint, appoint_member

UTC = datetime.UTC
THURSDAY = datetime.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # week 13 of world.semester
NON_COUNSELORS = ["teacher", "liaison", "principal", "admin", "member", "student"]
# A name no factory makes: finding it on a page means the page names this student.
NAMED = "欧阳明月"


@pytest.fixture
def semester(world):
    return world.semester


@pytest.fixture
def member_class(world):
    return world.cls


@pytest.fixture
def member(world):
    """`member` in office for its class."""
    return appoint_member(world)


@pytest.fixture
def named_student(world):
    """A classmate of `member`, without an account, whose name appears nowhere else."""
    student = world.students[world.cls.pk][-1]
    student.name = NAMED
    student.save(update_fields=["name"])
    return student


@pytest.fixture
def alert(semester, member_class, named_student, member):
    """A yellow alert naming a classmate, with the member asked to talk to them."""
    raised = services.raise_alert(
        semester,
        member_class,
        Alert.Rule.NAMED_MEMBER,
        Alert.Grade.YELLOW,
        key=f"test:named:{named_student.pk}",
        week=12,
        student_pk=named_student.pk,
    )
    TalkTask.objects.create(alert=raised, member=member)
    return raised


# --- Alerts ---------------------------------------------------------------------------


@pytest.mark.parametrize("username", NON_COUNSELORS)
def test_alerts_are_for_counselors_only(sign_in, world, alert, username):
    client = sign_in(world.people()[username])
    assert client.get(reverse("committees:alert-list")).status_code == 403
    assert client.get(reverse("committees:alert-detail", args=[alert.pk])).status_code == 404
    response = client.post(
        reverse("committees:alert-detail", args=[alert.pk]), {"text": "x", "status": "closed"}
    )
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_alert_list_filters(sign_in, world, alert, semester, member_class):
    client = sign_in(world.counselor)
    url = reverse("committees:alert-list")
    detail = reverse("committees:alert-detail", args=[alert.pk])
    assert detail.encode() in client.get(url).content
    assert detail.encode() in client.get(url, {"grade": "yellow"}).content
    assert detail.encode() not in client.get(url, {"grade": "red"}).content
    assert detail.encode() in client.get(url, {"rule": "named_member"}).content
    assert detail.encode() not in client.get(url, {"rule": "storm"}).content
    assert detail.encode() in client.get(url, {"class": member_class.pk}).content
    assert detail.encode() not in client.get(url, {"class": world.cls_b.pk}).content
    assert detail.encode() not in client.get(url, {"status": "closed"}).content
    year = member_class.enrolment_year
    assert detail.encode() in client.get(url, {"year": year}).content
    assert detail.encode() not in client.get(url, {"year": year - 1}).content
    # The list never names a student: names are read one alert at a time, logged.
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.READ, actor=world.counselor)


def test_alert_list_takes_the_same_queries_for_few_and_many(sign_in, world, semester, member_class):
    client = sign_in(world.counselor)
    url = reverse("committees:alert-list") + "?status=all"
    classes = list(SchoolClass.objects.filter(department__school=semester.school)[:20])

    def add(n, start):
        Alert.objects.bulk_create(
            Alert(
                school=semester.school,
                semester=semester,
                school_class=classes[i % len(classes)],
                rule=Alert.Rule.MISSING,
                grade=Alert.Grade.ORANGE,
                key=f"test:many:{start + i}",
                week=3,
            )
            for i in range(n)
        )

    add(3, 0)
    client.get(url)  # warm the caches (content types, settings) first
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add(60, 100)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


def test_alert_detail_names_the_student_and_logs_the_read(sign_in, world, alert, named_student):
    client = sign_in(world.counselor)
    response = client.get(reverse("committees:alert-detail", args=[alert.pk]))
    assert response.status_code == 200
    assert named_student.name.encode() in response.content
    assert reverse("committees:alert-list").encode() in response.content
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.READ).order_by("-id").first()
    assert entry.actor == world.counselor
    assert entry.content_type == ContentType.objects.get_for_model(Alert)
    assert entry.object_id == str(alert.pk)


def test_follow_up_closes_only_with_an_outcome(sign_in, world, alert):
    client = sign_in(world.counselor)
    url = reverse("committees:alert-detail", args=[alert.pk])
    owner = alert.assigned_to_id
    refused = client.post(
        url, {"text": "", "status": "closed", "outcome": "", "assigned_to": owner}
    )
    assert refused.status_code == 400
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN and alert.closed_at is None
    # A note alone moves it to "following".
    client.post(url, {"text": "已约谈班主任", "status": "open", "assigned_to": owner})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.FOLLOWING
    closed = client.post(
        url,
        {
            "text": "学生已面询两次，情绪好转",
            "status": "closed",
            "outcome": "面询后好转，转入常规关注",
            "assigned_to": owner,
        },
    )
    assert closed.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.CLOSED
    assert alert.outcome == "面询后好转，转入常规关注"
    assert alert.closed_at is not None
    log = [n.text for n in AlertNote.objects.filter(alert=alert)]
    assert log == ["已约谈班主任", "学生已面询两次，情绪好转"]
    page = client.get(url)
    assert "已约谈班主任".encode() in page.content  # the dated log is on the page
    # Nothing to save is a clear error, not a silent success.
    assert (
        client.post(
            url, {"status": "closed", "outcome": alert.outcome, "assigned_to": owner}
        ).status_code
        == 400
    )


def test_follow_up_hands_the_alert_to_another_counselor(sign_in, world, alert):
    other = next(u for u in [world.counselor, world.counselor2] if u.pk != alert.assigned_to_id)
    url = reverse("committees:alert-detail", args=[alert.pk])
    response = sign_in(world.counselor).post(
        url, {"text": "", "status": "open", "assigned_to": other.pk}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.assigned_to == other
    assert AlertNote.objects.filter(alert=alert).count() == 1  # "handed over to ..."
    assert Notification.objects.filter(recipient=other, kind="committees.alert").exists()
    # Only counselors of the school can take it over.
    teacher = world.teacher
    bad = sign_in(world.counselor).post(
        url, {"text": "", "status": "open", "assigned_to": teacher.pk}
    )
    assert bad.status_code == 400


# --- Talk tasks -----------------------------------------------------------------------


def test_member_completes_a_talk_task(sign_in, world, alert, named_student):
    client = sign_in(world.member)
    url = reverse("committees:talk-tasks")
    page = client.get(url)
    assert page.status_code == 200
    assert named_student.name.encode() in page.content  # the member named them
    assert b"Yellow" not in page.content and alert.get_rule_display().encode() not in page.content
    task = alert.talk_task
    assert client.post(url, {"task": task.pk, "note": ""}).status_code == 400
    done = client.post(url, {"task": task.pk, "note": "聊了半小时，他说最近和室友闹矛盾"})
    assert done.status_code == 302
    task.refresh_from_db()
    alert.refresh_from_db()
    assert task.done_at is not None
    assert task.note == "聊了半小时，他说最近和室友闹矛盾"
    assert alert.status == Alert.Status.FOLLOWING
    assert AlertNote.objects.filter(alert=alert, author=world.member).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM committees_talktask WHERE id = %s", [task.pk])
        (raw,) = cursor.fetchone()
    assert "室友" not in raw
    # Done is done: the task has left the list and cannot be done twice.
    assert named_student.name.encode() not in client.get(url).content
    assert client.post(url, {"task": task.pk, "note": "again"}).status_code == 404


def test_talk_tasks_are_the_members_own(sign_in, world, alert, named_student):
    other = appoint(world, world.students[world.cls_b.pk][2])  # a member of another class
    client = sign_in(other.student.user)
    url = reverse("committees:talk-tasks")
    assert named_student.name.encode() not in client.get(url).content
    assert client.post(url, {"task": alert.talk_task.pk, "note": "x"}).status_code == 404
    # Nor are they a classmate's, also on the committee of the class.
    classmate = appoint(world, world.students[world.cls.pk][1])
    sign_in(classmate.student.user)
    assert named_student.name.encode() not in client.get(url).content
    assert client.post(url, {"task": alert.talk_task.pk, "note": "x"}).status_code == 404
    assert sign_in(world.teacher).get(url).status_code == 403


# --- Course suggestions ---------------------------------------------------------------


@pytest.fixture
def suggestion(world, semester, member_class, member):
    barometer, _created = services.file_barometer(
        world.member,
        member_class,
        semester,
        13,
        services.Filing(weather=Weather.PARTLY_CLOUDY, suggestions=["机房电脑太旧，希望更换"]),
        now=THURSDAY,
    )
    return barometer.suggestions.get()


def test_suggestion_answered_by_the_liaison_reaches_the_member(sign_in, world, suggestion):
    assert Notification.objects.filter(
        recipient=world.liaison, kind="committees.suggestion"
    ).exists()
    liaison = sign_in(world.liaison)
    listing = liaison.get(reverse("committees:suggestion-list"))
    assert "机房电脑太旧".encode() in listing.content
    answer_url = reverse("committees:suggestion-answer", args=[suggestion.pk])
    assert liaison.post(answer_url, {"action": "acknowledge"}).status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == CourseSuggestion.Status.ACKNOWLEDGED
    assert suggestion.acknowledged_at is not None
    assert liaison.post(answer_url, {"adopted": "yes", "answer": ""}).status_code == 400
    response = liaison.post(answer_url, {"adopted": "yes", "answer": "下学期更换20台"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == CourseSuggestion.Status.ANSWERED
    assert suggestion.adopted is True and suggestion.answered_by == world.liaison
    assert suggestion.answered_at is not None
    assert Notification.objects.filter(
        recipient=world.member, kind="committees.suggestion_answered"
    ).exists()
    seen = sign_in(world.member).get(reverse("committees:suggestion-list"))
    assert "下学期更换20台".encode() in seen.content
    assert (
        "机房电脑太旧".encode()
        in sign_in(world.counselor).get(reverse("committees:suggestion-list")).content
    )


@pytest.mark.parametrize("username", ["member", "teacher", "counselor", "principal"])
def test_only_the_liaison_answers(sign_in, world, suggestion, username):
    url = reverse("committees:suggestion-answer", args=[suggestion.pk])
    assert sign_in(world.people()[username]).post(
        url, {"adopted": "no", "answer": "x"}
    ).status_code in (403, 404)
    suggestion.refresh_from_db()
    assert suggestion.status == CourseSuggestion.Status.OPEN


def test_students_see_no_suggestions(sign_in, world, suggestion):
    assert sign_in(world.student).get(reverse("committees:suggestion-list")).status_code == 403


# --- Class absences and settings ------------------------------------------------------


def test_counselor_adds_and_ends_an_absence(sign_in, world, member_class):
    client = sign_in(world.counselor)
    url = reverse("committees:absence-list")
    bad = client.post(
        url,
        {
            "action": "add",
            "school_class": member_class.pk,
            "kind": "trip",
            "starts_on": "2026-12-10",
            "ends_on": "2026-12-01",
        },
    )
    assert bad.status_code == 400
    with time_machine.travel(THURSDAY, tick=False):
        client = sign_in(world.counselor)
        added = client.post(
            url,
            {
                "action": "add",
                "school_class": member_class.pk,
                "kind": "internship",
                "starts_on": "2026-11-23",
                "ends_on": "2027-01-15",
                "note": "跟岗实习",
            },
        )
        assert added.status_code == 302
        absence = ClassAbsence.objects.get(school_class=member_class, note="跟岗实习")
        assert "跟岗实习".encode() in client.get(url).content
        too_late = client.post(
            url, {"action": "end", "absence": absence.pk, "ends_on": "2027-02-01"}
        )
        assert too_late.status_code == 400
        ended = client.post(url, {"action": "end", "absence": absence.pk, "ends_on": "2026-11-27"})
        assert ended.status_code == 302
    absence.refresh_from_db()
    assert absence.ends_on == datetime.date(2026, 11, 27)
    actions = list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ClassAbsence), object_id=str(absence.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE]
    for username in ["teacher", "liaison", "member", "admin"]:
        assert sign_in(world.people()[username]).get(url).status_code == 403


def test_settings_mirror_the_database_rules(sign_in, world):
    client = sign_in(world.counselor)
    url = reverse("committees:barometer-settings")
    assert client.get(url).status_code == 200
    data = {
        "deadline_weekday": "1",
        "deadline_time": "18:00",
        "reopen_hours": "24",
        "drop_steps": "2",
        "baseline_weeks": "4",
        "named_member_weeks": "3",
        "named_task_weeks": "3",
        "missing_weeks": "2",
        "fidelity_weeks": "6",
    }
    ladder = client.post(url, data)
    assert ladder.status_code == 400
    assert b'id="error_1_id_named_task_weeks"' in ladder.content  # said in words,
    assert b"settings_ladder_ordered" not in ladder.content  # not as the constraint's name
    assert (
        client.post(url, {**data, "named_task_weeks": "4", "named_member_weeks": "1"}).status_code
        == 400
    )
    assert client.post(url, {**data, "drop_steps": "0", "named_task_weeks": "4"}).status_code == 400
    assert (
        client.post(url, {**data, "deadline_weekday": "7", "named_task_weeks": "4"}).status_code
        == 400
    )
    saved = client.post(url, {**data, "named_task_weeks": "4"})
    assert saved.status_code == 302
    row = BarometerSettings.for_school(world.school)
    assert (row.deadline_weekday, row.deadline_time) == (1, datetime.time(18, 0))
    assert (row.named_member_weeks, row.named_task_weeks) == (3, 4)
    assert AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BarometerSettings),
        action=AuditEntry.Action.UPDATE,
        actor=world.counselor,
    ).exists()
    for username in ["teacher", "liaison", "member", "admin", "principal"]:
        assert sign_in(world.people()[username]).get(url).status_code == 403


# --- Links ----------------------------------------------------------------------------


def test_menus_and_home_lead_to_the_barometer(sign_in, world, alert, semester, member_class):
    services.raise_alert(
        semester, member_class, Alert.Rule.STORM, Alert.Grade.RED, key="test:red", week=12
    )
    counselor = sign_in(world.counselor).get(reverse("home")).content.decode()
    for name in ["alert-list", "absence-list", "barometer-settings", "suggestion-list"]:
        assert reverse(f"committees:{name}") in counselor, name
    assert "rounded-pill text-bg-danger" in counselor  # open red alerts
    member = sign_in(world.member).get(reverse("home")).content.decode()
    for name in ["barometer-file", "talk-tasks", "suggestion-list", "immediate-report"]:
        assert reverse(f"committees:{name}") in member, name
    assert f"{reverse('committees:barometer-file')}?class={member_class.pk}" in member
    assert reverse("committees:alert-list") not in member
    liaison = sign_in(world.liaison).get(reverse("home")).content.decode()
    assert reverse("committees:suggestion-list") in liaison
    assert reverse("committees:barometer-file") not in liaison
