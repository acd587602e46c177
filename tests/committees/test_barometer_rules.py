"""The barometer's rules at the service level: expected reports, filing and locking, the
alert rules and their thresholds, reminders. A small school of its own, with a fixed clock."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from committees.barometer import services
from committees.models import (
    Alert,
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
    CommitteeMember,
    ConcernKind,
    StudentOfConcern,
    TalkTask,
    Weather,
)
from counseling.errors import PortalError
from counseling.models import Role
from counseling.notifications.models import Notification
from tests.factories import (
    DepartmentFactory,
    RoleFactory,
    SchoolClassFactory,
    SchoolFactory,
    SemesterBreakFactory,
    SemesterFactory,
    StudentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


class World:
    """One school: a department with two classes, a member in each, a counselor, a teacher."""

    def __init__(self):
        self.school = SchoolFactory()
        self.semester = SemesterFactory(
            school=self.school, first_monday=datetime.date(2026, 8, 31), weeks=20
        )
        SemesterBreakFactory(semester=self.semester, first_week=5, last_week=5)
        self.department = DepartmentFactory(school=self.school)
        self.teacher = UserFactory()
        self.cls = SchoolClassFactory(department=self.department, class_teacher=self.teacher)
        self.other = SchoolClassFactory(department=self.department)
        self.students = [StudentFactory(school_class=self.cls) for _ in range(10)]
        StudentFactory.create_batch(5, school_class=self.other)
        self.counselor = UserFactory()
        RoleFactory(user=self.counselor, school=self.school, kind=Role.Kind.COUNSELOR, is_head=True)
        self.liaison = UserFactory()
        RoleFactory(
            user=self.liaison,
            school=self.school,
            kind=Role.Kind.LIAISON,
            department=self.department,
        )
        self.member = self.students[0]
        self.member.user = UserFactory()
        self.member.save()
        CommitteeMember.objects.create(
            semester=self.semester,
            school_class=self.cls,
            student=self.member,
            appointed_on=datetime.date(2026, 8, 31),
        )
        self.settings = BarometerSettings.for_school(self.school)

    def week_day(self, week, weekday=3):
        return self.semester.week_start(week) + datetime.timedelta(days=weekday)

    def file(
        self,
        week,
        weather=Weather.SUNNY,
        *,
        students=(),
        concerns=None,
        cls=None,
        late=False,
        **extra,
    ):
        cls = cls or self.cls
        when = (
            at(self.week_day(week))
            if not late
            else self.settings.deadline(self.semester, week) + datetime.timedelta(hours=1)
        )
        filing = services.Filing(
            weather=weather, concerns=concerns or {}, students=list(students), **extra
        )
        with time_machine.travel(when, tick=False):
            return services.file_barometer(
                self.member.user, cls, self.semester, week, filing, now=when
            )[0]

    def named(self, student, severity="watch"):
        return (student, ConcernKind.STUDY, severity, "说明")

    def alerts(self, rule):
        return Alert.objects.filter(school=self.school, rule=rule)


@pytest.fixture
def world(db):
    return World()


def test_expected_weeks_skip_holidays_and_whole_week_absences(world):
    ClassAbsence.objects.create(
        school_class=world.cls,
        kind="internship",
        starts_on=world.semester.week_start(8),
        ends_on=world.semester.week_end(10),
    )
    # A one-day trip does not excuse a week.
    ClassAbsence.objects.create(
        school_class=world.cls,
        kind="trip",
        starts_on=world.week_day(3, 2),
        ends_on=world.week_day(3, 2),
    )
    pairs = services.expected_pairs(world.semester, [world.cls, world.other], range(1, 13))
    mine = sorted(w for c, w in pairs if c == world.cls.pk)
    assert mine == [1, 2, 3, 4, 6, 7, 11, 12]
    assert sorted(w for c, w in pairs if c == world.other.pk) == [
        1,
        2,
        3,
        4,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
    ]


def test_coverage_counts_and_never_exceeds_100(world):
    world.file(1)
    world.file(2, late=True)
    # A class on internship in week 3 that files anyway does not push coverage over 100 %.
    ClassAbsence.objects.create(
        school_class=world.cls,
        kind="exams",
        starts_on=world.semester.week_start(3),
        ends_on=world.semester.week_end(3),
    )
    world.file(3)
    result = services.coverage(world.semester, classes=[world.cls], weeks=[1, 2, 3, 4])
    assert result.total() == {
        "expected": 3,
        "filed": 2,
        "on_time": 1,
        "completeness": 2 / 3,
        "timeliness": 1 / 3,
    }
    by_week = result.by_week()
    assert 3 not in by_week and by_week[2]["on_time"] == 0 and by_week[4]["filed"] == 0
    everyone = services.coverage(
        world.semester, classes=[world.cls, world.other], weeks=[1, 2, 3, 4]
    )
    assert everyone.by_department()[world.department.pk]["expected"] == 7
    for row in [everyone.total(), *everyone.by_week().values(), *everyone.by_class().values()]:
        assert row["filed"] <= row["expected"] and row["on_time"] <= row["filed"]


def test_deadline_lock_reopen_and_late(world):
    deadline = world.settings.deadline(world.semester, 2)
    assert timezone.localtime(deadline).date() == world.semester.week_start(3)  # Monday after
    assert timezone.localtime(deadline).time() == datetime.time(12, 0)
    barometer = world.file(2, Weather.PARTLY_CLOUDY)
    assert not barometer.late
    # An edit before the deadline is fine.
    before = deadline - datetime.timedelta(minutes=1)
    services.file_barometer(
        world.member.user,
        world.cls,
        world.semester,
        2,
        services.Filing(weather=Weather.OVERCAST),
        now=before,
    )
    barometer.refresh_from_db()
    assert barometer.weather == Weather.OVERCAST
    after = deadline + datetime.timedelta(minutes=1)
    with pytest.raises(PortalError) as error:
        services.file_barometer(
            world.member.user,
            world.cls,
            world.semester,
            2,
            services.Filing(weather=Weather.RAIN),
            now=after,
        )
    assert error.value.code == "locked"
    barometer.refresh_from_db()
    assert barometer.weather == Weather.OVERCAST
    services.reopen(barometer, world.counselor, now=after)
    services.file_barometer(
        world.member.user,
        world.cls,
        world.semester,
        2,
        services.Filing(weather=Weather.RAIN),
        now=after,
    )
    barometer.refresh_from_db()
    assert barometer.weather == Weather.RAIN and not barometer.late
    # A first filing after the deadline is accepted and marked late.
    assert world.file(3, late=True).late


def test_filing_refuses_bad_input_and_writes_nothing(world):
    stranger = StudentFactory(school_class=world.other)
    with pytest.raises(PortalError):
        world.file(1, students=[world.named(stranger)])
    with pytest.raises(PortalError):
        world.file(1, concerns={ConcernKind.STUDY: 11})  # the class has 10 students
    with pytest.raises(PortalError):
        world.file(5)  # the holiday week
    with pytest.raises(PortalError):
        with time_machine.travel(at(world.week_day(1)), tick=False):
            services.file_barometer(
                world.member.user,
                world.cls,
                world.semester,
                2,
                services.Filing(weather=1),
                now=at(world.week_day(1)),
            )
    assert Barometer.objects.filter(school_class=world.cls).count() == 0


def test_nothing_to_report_is_explicit(world):
    b = world.file(1, Weather.RAIN, nothing_to_report=True, concerns={ConcernKind.STUDY: 3})
    assert b.nothing_to_report and b.weather == Weather.SUNNY and b.concerns.count() == 0


def test_students_of_concern_are_encrypted_at_rest(world):
    from django.db import connection

    student = world.students[3]
    world.file(1, students=[(student, ConcernKind.FAMILY, "close", "父母离异，情绪低落")])
    row = StudentOfConcern.objects.get(barometer__school_class=world.cls)
    assert row.note == "父母离异，情绪低落" and row.student_pk == student.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT student_id_enc, note, student_ref FROM committees_studentofconcern WHERE id = %s",
            [row.pk],
        )
        enc_id, enc_note, ref = cursor.fetchone()
    assert "父母离异" not in enc_note and enc_note.startswith("gAAAA")
    assert enc_id != str(student.pk) and str(student.pk) != ref


def test_storm_and_urgent_raise_red_once(world):
    b = world.file(1, Weather.STORM, students=[world.named(world.students[2], "urgent")])
    assert world.alerts("storm").count() == 1
    assert world.alerts("urgent").get().grade == "red"
    # Editing the same barometer raises nothing new.
    world.file(1, Weather.STORM, students=[world.named(world.students[2], "urgent")])
    assert world.alerts("storm").count() == 1 and world.alerts("urgent").count() == 1
    red = Notification.objects.filter(kind="committees.alert_red", recipient=world.counselor)
    assert red.count() == 2
    # The class teacher hears of it, without the name.
    told = Notification.objects.filter(recipient=world.teacher)
    assert told.exists()
    assert all(world.students[2].name not in n.title + n.body for n in told)
    assert b.alerts.count() == 2


def test_a_rain_week_is_not_a_storm(world):
    world.file(1, Weather.RAIN, students=[world.named(world.students[2], "close")])
    assert not world.alerts("storm").exists() and not world.alerts("urgent").exists()


def test_class_much_worse_than_its_average(world):
    for week in (1, 2, 3, 4):
        world.file(week, Weather.SUNNY)
    world.file(6, Weather.PARTLY_CLOUDY + 1)  # 3 = sunny average 1 + 2 steps
    assert world.alerts("drop").count() == 1


def test_one_step_worse_is_not_a_drop(world):
    for week in (1, 2, 3, 4):
        world.file(week, Weather.PARTLY_CLOUDY)
    world.file(6, Weather.OVERCAST)
    assert not world.alerts("drop").exists()


def test_escalation_ladder_over_weeks(world):
    student = world.students[4]
    world.file(1, students=[world.named(student)])
    assert not Alert.objects.filter(school=world.school).exists()
    world.file(2, students=[world.named(student)])
    member_alert = world.alerts("named_member").get()
    assert member_alert.grade == "yellow" and member_alert.student_pk == student.pk
    assert TalkTask.objects.get(alert=member_alert).member.student == world.member
    assert Notification.objects.filter(
        recipient=world.member.user, kind="committees.talk_task"
    ).exists()
    world.file(3, students=[world.named(student)])
    assert world.alerts("named_task").get().grade == "orange"
    assert not world.alerts("named_case").exists()
    world.file(4, students=[world.named(student)])  # week 5 is a holiday: 6 continues the run
    world.file(6, students=[world.named(student)])
    assert world.alerts("named_case").get().grade == "red"
    assert world.alerts("named_member").count() == 1 and world.alerts("named_task").count() == 1


def test_a_break_in_naming_starts_a_new_run(world):
    student = world.students[4]
    world.file(1, students=[world.named(student)])
    world.file(2)
    world.file(3, students=[world.named(student)])
    assert not world.alerts("named_member").exists()
    world.file(4, students=[world.named(student)])
    assert world.alerts("named_member").count() == 1


def test_thresholds_are_the_schools_to_change(world):
    world.settings.named_member_weeks = 3
    world.settings.named_task_weeks = 4
    world.settings.save()
    student = world.students[4]
    world.file(1, students=[world.named(student)])
    world.file(2, students=[world.named(student)])
    assert not world.alerts("named_member").exists()
    world.file(3, students=[world.named(student)])
    assert world.alerts("named_member").exists()


def test_fidelity_check(world):
    student = world.students[5]
    world.file(1, students=[world.named(student, "urgent")])  # an open red alert for a student
    for week in (2, 3, 4, 6, 7):
        world.file(week, Weather.SUNNY, nothing_to_report=True)
    assert not world.alerts("fidelity").exists()  # five sunny weeks: not yet
    world.file(8, Weather.SUNNY, nothing_to_report=True)
    assert world.alerts("fidelity").count() == 1
    # Once the student's alert is closed, six sunny weeks are no longer suspicious.
    alert = world.alerts("urgent").get()
    services.follow_up(
        alert, world.counselor, "谈话后稳定", status=Alert.Status.CLOSED, outcome="已稳定"
    )
    world.file(9, Weather.SUNNY, nothing_to_report=True)
    assert world.alerts("fidelity").count() == 1


def test_missing_two_weeks_running(world):
    world.file(1)
    now = at(world.week_day(3, 4))  # Friday of week 3: weeks 1 and 2 are due
    raised = services.check_missing(world.semester, now)
    assert {a.school_class for a in raised} == {world.other}  # it never filed; cls missed one
    now = at(world.week_day(4, 4))  # cls has now missed weeks 2 and 3
    raised = services.check_missing(world.semester, now)
    assert {a.school_class for a in raised} == {world.cls}
    assert services.check_missing(world.semester, now) == []  # once


def test_immediate_report_reaches_counselors_at_once(world):
    with time_machine.travel(at(world.week_day(2)), tick=False):
        services.immediate_report(
            world.member.user, world.cls, world.semester, world.students[6], "在天台徘徊"
        )
    alert = world.alerts("immediate").get()
    assert alert.grade == "red" and alert.student_pk == world.students[6].pk
    assert Notification.objects.filter(
        recipient=world.counselor, kind="committees.alert_red"
    ).exists()


def test_follow_up_needs_an_outcome_to_close(world):
    world.file(1, Weather.STORM)
    alert = world.alerts("storm").get()
    assert alert.assigned_to == world.counselor
    with pytest.raises(PortalError):
        services.follow_up(alert, world.counselor, "", status=Alert.Status.CLOSED)
    services.follow_up(alert, world.counselor, "已找班主任了解")
    alert.refresh_from_db()
    assert alert.status == "following" and alert.notes.get().text == "已找班主任了解"


def test_reminders_day_before_deadline_then_teacher_then_liaison(world):
    RoleFactory(
        user=world.member.user,
        school=world.school,
        kind=Role.Kind.COMMITTEE_MEMBER,
        school_class=world.cls,
    )
    # Week 2's deadline is Monday of week 3 at noon: the day before is Sunday.
    day_before = world.semester.week_start(3) - datetime.timedelta(days=1)
    world.file(1)
    reminded = Notification.objects.filter(
        recipient=world.member.user, kind="committees.barometer_reminder"
    )
    told = Notification.objects.filter(recipient=world.teacher, kind="committees.barometer_missed")
    liaison = Notification.objects.filter(
        recipient=world.liaison, kind="committees.barometer_missed", title__contains=world.cls.name
    )
    services.run_reminders(at(day_before, 16))
    assert reminded.count() == 1 and not told.exists()
    services.run_reminders(at(day_before, 17))
    assert reminded.count() == 1  # once
    services.run_reminders(
        at(world.semester.week_start(3), 16)
    )  # Monday afternoon, deadline passed
    assert told.count() == 1 and not liaison.exists()
    # Week 3 missed as well: the liaison hears of the second miss.
    services.run_reminders(at(world.semester.week_start(4), 16))
    assert liaison.count() == 1


def test_semester_figures(world):
    world.file(1, Weather.SUNNY, concerns={ConcernKind.HOMESICK: 2})
    world.file(2, Weather.STORM, concerns={ConcernKind.HOMESICK: 1, ConcernKind.JOBS: 4})
    qs = Barometer.objects.for_semester(world.semester)
    assert qs.weather_distribution() == {1: {1: 1}, 2: {5: 1}}
    kinds = qs.concerns_by_kind()
    assert kinds["homesick"] == 3 and kinds["jobs"] == 4 and kinds["study"] == 0
    assert Alert.objects.filter(school=world.school).figures() == {
        "red": {"raised": 1, "closed": 0}
    }


def test_concern_rows_carry_their_barometers_semester_and_class(world):
    """The boards sum concerns on the rows' own semester and class: every way a row is
    written fills them from its barometer, and PostgreSQL refuses a row that differs."""
    barometer = world.file(1, concerns={ConcernKind.HOMESICK: 2})
    world.file(2, concerns={ConcernKind.JOBS: 1}, cls=world.other)
    by_save = BarometerConcern(barometer=barometer, kind=ConcernKind.STUDY, count=1)
    by_save.save()
    rows = BarometerConcern.objects.filter(barometer__semester=world.semester)
    assert rows.count() == 3
    for row in rows.select_related("barometer"):
        assert (row.semester_id, row.school_class_id) == (
            row.barometer.semester_id,
            row.barometer.school_class_id,
        )
    if connection.vendor != "postgresql":
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        BarometerConcern.objects.filter(pk=by_save.pk).update(school_class=world.other)
        # The key is checked at commit: ask for it now.
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
