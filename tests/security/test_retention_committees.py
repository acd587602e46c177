"""Retention of the committee network's data (committees/retention.py): barometers,
students of concern and closed alerts go (or lose the student) past their period, with
their history rows; what is younger stays; a dry run changes nothing."""

import datetime

import pytest
from django.utils import timezone

from committees.barometer import services as barometer_services
from committees.barometer.retention import REMOVED
from committees.models import (
    Alert,
    AlertNote,
    Barometer,
    BarometerSettings,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
)
from counseling import retention

pytestmark = pytest.mark.django_db


def _file(world, week, student, note):
    deadline = BarometerSettings.for_school(world.school).deadline(world.semester, week)
    barometer, _created = barometer_services.file_barometer(
        world.member,
        world.cls,
        world.semester,
        week,
        barometer_services.Filing(
            weather=2,
            concerns={ConcernKind.FAMILY: 1},
            students=[(student, ConcernKind.FAMILY, "urgent", note)],
            suggestions=["作业少一点"],
        ),
        now=deadline - datetime.timedelta(days=2),
    )
    return barometer


@pytest.fixture
def filed(world):
    CommitteeMember.objects.create(
        semester=world.semester, school_class=world.cls, student=world.member_student
    )
    roster = [s for s in world.students[world.cls.pk] if s.pk != world.member_student.pk]
    weeks = world.semester.teaching_weeks()
    old = _file(world, weeks[0], roster[0], "旧的关注")
    new = _file(world, weeks[1], roster[1], "新的关注")
    barometer_services.immediate_report(
        world.member, world.cls, world.semester, roster[2], "旧的即时报告"
    )
    return world, old, new


def age(queryset, field, days):
    queryset.update(**{field: timezone.now() - datetime.timedelta(days=days)})


def snapshot():
    return (
        Barometer.objects.count(),
        StudentOfConcern.objects.count(),
        CourseSuggestion.objects.count(),
        sorted(ImmediateReport.objects.values_list("student_ref", flat=True)),
        sorted(Alert.objects.values_list("student_ref", "outcome")),
        AlertNote.objects.count(),
        sorted(TalkTask.objects.values_list("note", flat=True)),
    )


def test_old_barometers_go_with_their_rows_and_the_dry_run_changes_nothing(filed, settings):
    world, old, new = filed
    settings.RETENTION_DAYS = {"barometers": 1095}
    age(Barometer.objects.filter(pk=old.pk), "submitted_at", 1096)
    before = snapshot()
    assert retention.purge_expired(dry_run=True, only=["barometers"]) == {"barometers": 1}
    assert snapshot() == before
    assert retention.purge_expired(only=["barometers"]) == {"barometers": 1}
    assert not Barometer.objects.filter(pk=old.pk).exists()
    assert not StudentOfConcern.objects.filter(barometer_id=old.pk).exists()
    assert not CourseSuggestion.objects.filter(barometer_id=old.pk).exists()
    assert StudentOfConcern.objects.filter(barometer=new).exists()


def test_old_students_of_concern_and_reports_lose_the_student(filed, settings):
    world, old, new = filed
    settings.RETENTION_DAYS = {"concerns": 365}
    age(Barometer.objects.filter(pk=old.pk), "submitted_at", 366)
    age(ImmediateReport.objects.all(), "created_at", 366)
    before = snapshot()
    assert retention.purge_expired(dry_run=True, only=["concerns"]) == {"concerns": 2}
    assert snapshot() == before
    assert retention.purge_expired(only=["concerns"]) == {"concerns": 2}
    assert not StudentOfConcern.objects.filter(barometer=old).exists()
    assert Barometer.objects.filter(pk=old.pk).exists()  # the figures stay
    assert StudentOfConcern.objects.filter(barometer=new).exists()
    report = ImmediateReport.objects.get()
    assert report.student_ref == "" and report.note == "" and report.student_id_enc == ""


def test_old_closed_alerts_keep_their_figures_and_lose_the_student(filed, settings):
    world, old, new = filed
    settings.RETENTION_DAYS = {"alerts": 730}
    alerts = list(Alert.objects.filter(school=world.school).exclude(student_ref=""))
    closed, still_open = alerts[0], alerts[1]
    barometer_services.follow_up(
        closed, world.counselor, "跟进", status=Alert.Status.CLOSED, outcome="转介"
    )
    member = CommitteeMember.objects.get(student=world.member_student)
    task, _made = TalkTask.objects.get_or_create(alert=closed, defaults={"member": member})
    TalkTask.objects.filter(pk=task.pk).update(
        note=task._meta.get_field("note").get_prep_value("谈过")
    )
    age(Alert.objects.filter(pk=closed.pk), "closed_at", 731)
    before = snapshot()
    assert retention.purge_expired(dry_run=True, only=["alerts"]) == {"alerts": 1}
    assert snapshot() == before
    assert retention.purge_expired(only=["alerts"]) == {"alerts": 1}
    closed.refresh_from_db()
    assert closed.student_ref == "" and closed.outcome == REMOVED and closed.rule
    assert not AlertNote.objects.filter(alert=closed).exists()
    assert TalkTask.objects.get(alert=closed).note == ""
    still_open.refresh_from_db()
    assert still_open.student_ref
    assert retention.purge_expired(only=["alerts"]) == {"alerts": 0}  # done once
