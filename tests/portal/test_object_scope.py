"""Ids changed in a POST act on nothing of another class, department or school: members,
liaisons, judges and counselors act within their own scope only."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from committees.models import (
    Alert,
    Barometer,
    CommitteeMember,
    CourseSuggestion,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
)
from counseling.crypto import keyed_hash
from counseling.models import Role, SchoolClass, Student
from lectures.models import (
    ContestEntry,
    ContestJudge,
)
from tests.portal.tier3 import (
    clone,
    leaks,
    text_of,
)


@pytest.fixture
def elsewhere(world):
    """A class of another department of the school, with a barometer and a suggestion."""
    cls = (
        SchoolClass.objects.filter(department__school=world.school)
        .exclude(department=world.focus.department)
        .exclude(committee_members__student__user=world.user("member02"))
        .order_by("pk")
        .first()
    )
    barometer = Barometer.objects.filter(semester=world.semester, school_class=cls).first()
    suggestion = CourseSuggestion.objects.create(
        barometer=barometer, department=cls.department, text="另一个专业科的建议"
    )
    return {"class": cls, "barometer": barometer, "suggestion": suggestion}


def test_a_member_files_for_its_own_class_only(world, client, elsewhere):
    client.force_login(world.member)
    cls = elsewhere["class"]
    url = reverse("committees:barometer-file") + f"?class={cls.pk}"
    assert client.post(url, {"base": "new", "weather": "1"}).status_code == 403
    assert not Barometer.objects.filter(
        semester=world.semester, school_class=cls, week__gt=world.concern_barometer.week
    ).exists()
    immediate = reverse("committees:immediate-report") + f"?class={cls.pk}"
    assert client.post(immediate, {"note": "x"}).status_code == 403
    # Nor can it name, in its own class's forms, a student of another class.
    stranger = Student.objects.filter(school_class=cls).first()
    reports = ImmediateReport.objects.count()
    response = client.post(
        reverse("committees:immediate-report"), {"student": stranger.pk, "note": "冒名"}
    )
    assert response.status_code == 400
    assert ImmediateReport.objects.count() == reports
    response = client.post(
        reverse("committees:barometer-file"),
        {
            "base": "new",
            "weather": "2",
            "s-TOTAL_FORMS": "1",
            "s-INITIAL_FORMS": "0",
            "s-0-student": stranger.pk,
            "s-0-kind": "family",
            "s-0-severity": "watch",
        },
    )
    assert response.status_code == 400
    assert not StudentOfConcern.objects.filter(student_ref=keyed_hash(stranger.pk)).exists()


def test_a_liaison_answers_its_own_department_only(world, client, elsewhere):
    client.force_login(world.user("liaison"))
    suggestion = elsewhere["suggestion"]
    url = reverse("committees:suggestion-answer", args=[suggestion.pk])
    assert client.post(url, {"action": "acknowledge"}).status_code in (403, 404)
    assert client.post(url, {"adopted": "yes", "answer": "好"}).status_code in (403, 404)
    suggestion.refresh_from_db()
    assert suggestion.status == CourseSuggestion.Status.OPEN and suggestion.answer == ""


def test_a_member_confirms_letters_for_its_own_class_only(world, client):
    client.force_login(world.member)
    letter = world.home["letter"]
    unread = (
        SchoolClass.objects.filter(department__school=world.school)
        .exclude(pk=world.focus.pk)
        .exclude(pk__in=letter.readings.values("school_class"))
        .first()
    )
    url = reverse("lectures:letter-confirm", args=[letter.pk])
    assert client.post(url, {"school_class": unread.pk}).status_code == 403
    assert not letter.readings.filter(school_class=unread).exists()


def test_a_judge_scores_only_the_contests_it_judges(world, client):
    contest = world.home["contest"]
    judged = ContestJudge.objects.filter(contest=contest).values_list("judge", flat=True)
    judge = get_user_model().objects.get(pk=judged[0])
    event = clone(contest.event, title="另一场比赛")
    second = clone(contest, event=event)
    criterion = contest.criteria.first()
    mine = clone(criterion, contest=second)
    entry = clone(
        world.home["entry"],
        contest=second,
        code=ContestEntry._meta.get_field("code").get_default(),
    )
    client.force_login(judge)
    # Not a judge of the second contest: its pages are closed.
    url = reverse("lectures:contest-judge-entry", args=[second.pk, entry.code])
    assert client.post(url, {f"c{mine.pk}": "1"}).status_code == 403
    # Its own contest's address with the second contest's entry: not found.
    url = reverse("lectures:contest-judge-entry", args=[contest.pk, entry.code])
    assert client.post(url, {f"c{criterion.pk}": "1"}).status_code == 404
    assert not entry.scores.exists()


def test_a_member_completes_its_own_talk_tasks_only(world, client):
    other_member = CommitteeMember.objects.get(
        semester=world.semester, student__user=world.user("member02")
    )
    alert = Alert.objects.create(
        school=world.school,
        semester=world.semester,
        school_class=other_member.school_class,
        rule=Alert.Rule.NAMED_MEMBER,
        grade=Alert.Grade.YELLOW,
        key="test:talk-of-another-class",
    )
    task = TalkTask.objects.create(alert=alert, member=other_member)
    client.force_login(world.member)
    response = client.post(reverse("committees:talk-tasks"), {"task": task.pk, "note": "冒名"})
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None and task.note == ""


def test_a_member_whose_service_ended_no_longer_sees_its_talks(world, client):
    """The talk-task page names the classmate to its member (by design): only while it
    serves. Ending the service ends the role; the open tasks must go with it."""
    from committees.network import services as committee_services

    task = TalkTask.objects.filter(member=world.member_row, done_at__isnull=True).first()
    assert task is not None
    client.force_login(world.member)
    url = reverse("committees:talk-tasks")
    assert world.names[task.alert.student_pk] in text_of(client.get(url))
    committee_services.end(world.member_row, world.counselor, reason="转入其他班级")
    response = client.get(url)
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        assert not leaks(world, text_of(response), "former member", "committees:talk-tasks")
    assert client.post(url, {"task": task.pk, "note": "离任后"}).status_code in (403, 404)
    task.refresh_from_db()
    assert task.done_at is None


def test_a_member_withdraws_its_own_class_entries_only(world, client):
    contest = world.home["contest"]
    entry = contest.entries.exclude(school_class=world.focus).first()
    client.force_login(world.member)
    url = reverse("lectures:contest-entry-withdraw", args=[contest.pk, entry.pk])
    assert client.post(url).status_code == 403
    assert ContestEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize("who", ["principal", "liaison", "teacher", "member", "admin"])
def test_only_counselors_follow_alerts_up(world, client, who):
    client.force_login(world.user(who))
    alert = world.immediate_alert
    notes = alert.notes.count()
    url = reverse("committees:alert-detail", args=[alert.pk])
    response = client.post(url, {"text": "冒名跟进", "status": "closed", "outcome": "x"})
    assert response.status_code in (403, 404)
    alert.refresh_from_db()
    assert alert.status != Alert.Status.CLOSED and alert.notes.count() == notes


def test_an_alert_is_handed_over_within_its_school_only(world, client):
    client.force_login(world.counselor)
    alert = world.immediate_alert
    stranger = get_user_model().objects.get(username="other-counselor")
    url = reverse("committees:alert-detail", args=[alert.pk])
    response = client.post(url, {"assigned_to": stranger.pk, "status": alert.status, "text": ""})
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.assigned_to_id != stranger.pk


def test_people_of_another_school_are_not_offered(world, client):
    """Role, class teacher, speaker, facilitator and judge pickers list the school's people
    (and accounts tied to no school yet), never another school's."""
    from counseling.forms import RoleForm, school_users, staff_users

    strangers = set(
        get_user_model().objects.filter(username__startswith="other-").values_list("pk", flat=True)
    )
    assert strangers
    assert not strangers & set(staff_users(world.school).values_list("pk", flat=True))
    assert not strangers & set(school_users(world.school).values_list("pk", flat=True))
    assert world.member.pk in set(school_users(world.school).values_list("pk", flat=True))
    form = RoleForm(
        {
            "user": get_user_model().objects.get(pk=min(strangers)).username,
            "kind": Role.Kind.LIAISON,
            "department": world.focus.department_id,
        },
        user=world.user("principal"),
        school=world.school,
    )
    assert not form.is_valid() and "user" in form.errors
