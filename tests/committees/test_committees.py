"""The committee network: members, schedule, attendance, flags, reminders and access."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from committees.models import (
    AssociationOfficer,
    Attendance,
    CommitteeMember,
    Meeting,
    MissedTwiceFlag,
)
from committees.network import services
from counseling.errors import PortalError
from counseling.models import Role, Semester, SemesterBreak
from counseling.notifications.models import Notification
from tests.committees.members import Network, new_meeting

TODAY = datetime.date(2026, 11, 29)


@pytest.fixture
def semester(world):
    return world.semester


@pytest.fixture
def network(world):
    """Five members in the world's four classes, three officers, four meetings (members.py)."""
    return Network(world)


@pytest.fixture
def spring(world):
    """A later semester with a holiday and an exam week, and no schedule yet."""
    s = Semester.objects.create(
        school=world.school,
        name="2026-2027学年第二学期",
        first_monday=datetime.date(2027, 3, 1),
        weeks=18,
    )
    SemesterBreak.objects.create(semester=s, name="清明节", first_week=6, last_week=6)
    SemesterBreak.objects.create(
        semester=s, name="期末考试", kind=SemesterBreak.Kind.EXAMS, first_week=17, last_week=18
    )
    return s


def test_schedule_generation_follows_week_parity_and_skips_breaks(world, spring):
    created = services.generate_schedule(
        spring,
        world.counselor,
        weekday=2,
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        place="报告厅",
    )
    by_week = {spring.week_of(m.date): m for m in Meeting.objects.filter(semester=spring)}
    assert len(created) == 15  # 18 weeks less week 6, 17 and 18
    assert set(by_week) == set(range(1, 17)) - {6}
    for week, meeting in by_week.items():
        assert meeting.kind == ("meeting" if week % 2 else "training"), week
        assert meeting.date.weekday() == 2
    assert by_week[1].date == datetime.date(2027, 3, 3)
    # Generating again adds nothing.
    again = services.generate_schedule(
        spring,
        world.counselor,
        weekday=3,
        start_time=datetime.time(8, 0),
        end_time=datetime.time(9, 0),
        place="x",
    )
    assert again == []


def test_schedule_page_generates_and_refuses_bad_times(sign_in, world, spring):
    client = sign_in(world.counselor)
    url = reverse("committees:schedule") + f"?semester={spring.pk}"
    bad = client.post(url, {"weekday": 2, "start_time": "17:00", "end_time": "16:00", "place": "x"})
    assert bad.status_code == 200
    assert Meeting.objects.filter(semester=spring).count() == 0
    good = client.post(
        url, {"weekday": 1, "start_time": "16:00", "end_time": "17:00", "place": "报告厅"}
    )
    assert good.status_code == 302
    assert Meeting.objects.filter(semester=spring).count() == 15
    page = client.get(url)
    assert "第16周" in page.content.decode()
    assert "第6周" not in page.content.decode()


def test_member_cannot_generate_schedule(sign_in, world, spring):
    response = sign_in(world.member).post(
        reverse("committees:schedule") + f"?semester={spring.pk}",
        {"weekday": 1, "start_time": "16:00", "end_time": "17:00", "place": "x"},
    )
    assert response.status_code == 200  # the member sees the schedule, without the form
    assert Meeting.objects.filter(semester=spring).count() == 0
    assert "schedule-form" not in response.content.decode()


def test_moving_and_cancelling(sign_in, world, network):
    client = sign_in(world.counselor)
    meeting = network.planned
    new_date = meeting.date + datetime.timedelta(days=1)
    response = client.post(
        reverse("committees:meeting-edit", args=[meeting.pk]),
        {
            "kind": meeting.kind,
            "date": new_date.isoformat(),
            "start_time": "15:00",
            "end_time": "16:00",
            "place": "报告厅",
            "topic": "改期",
            "agenda": "",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.date == new_date and meeting.place == "报告厅"
    # A date outside the semester is refused with a message, not a 500.
    outside = client.post(
        reverse("committees:meeting-edit", args=[meeting.pk]),
        {
            "kind": meeting.kind,
            "date": "2030-01-01",
            "start_time": "15:00",
            "end_time": "16:00",
            "place": "x",
        },
    )
    assert outside.status_code == 200
    meeting.refresh_from_db()
    assert meeting.date == new_date
    # Cancelling needs a reason and tells the members.
    client.post(reverse("committees:meeting-cancel", args=[meeting.pk]), {"reason": ""})
    meeting.refresh_from_db()
    assert meeting.status == "planned"
    before = Notification.objects.count()
    client.post(reverse("committees:meeting-cancel", args=[meeting.pk]), {"reason": "停电"})
    meeting.refresh_from_db()
    assert meeting.status == "cancelled" and meeting.cancel_reason == "停电"
    expected = services.expected_members(meeting).count()
    assert expected == len(network.members)
    assert Notification.objects.count() - before == expected


@time_machine.travel(datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_attendance_rates_hand_counted(world, semester, network):
    """Three members, two held meetings, one cancelled: rates counted by hand."""
    counselor = world.counselor
    members = network.in_dept
    # Only these meetings, only these members (not the network's own meetings).
    m1 = new_meeting(semester, datetime.date(2026, 11, 23))
    m2 = new_meeting(semester, datetime.date(2026, 11, 24))
    m3 = new_meeting(semester, datetime.date(2026, 11, 25))
    a, b, c = members
    services.record_attendance(
        m1, {a.pk: ("present", ""), b.pk: ("late", ""), c.pk: ("absent", "")}, counselor
    )
    services.record_attendance(
        m2, {a.pk: ("excused", "病假"), b.pk: ("present", ""), c.pk: ("present", "")}, counselor
    )
    services.cancel_meeting(m3, counselor, reason="x")
    rows = Attendance.objects.filter(meeting__in=[m1, m2, m3])
    assert rows.overall() == {"expected": 6, "attended": 4, "rate": 4 / 6}
    per_member = {r["member"]: r for r in rows.rate_by("member")}
    assert per_member[a.pk]["rate"] == 0.5
    assert per_member[b.pk]["rate"] == 1.0
    assert per_member[c.pk]["rate"] == 0.5
    per_class = {r["member__school_class"]: r for r in rows.rate_by("member__school_class")}
    assert sum(r["expected"] for r in per_class.values()) == 6
    # The page's one-query roll-up counts the same, at every level.
    overall, by_department, by_class, by_member = rows.rates()
    assert overall == rows.overall()
    assert {r["member"]: r for r in by_member} == per_member
    assert {r["member__school_class"]: r for r in by_class} == per_class
    assert by_department == list(rows.rate_by("member__school_class__department"))


@time_machine.travel(datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_excused_needs_a_reason_and_nothing_half_written(world, semester, network):
    counselor = world.counselor
    meeting = new_meeting(semester, datetime.date(2026, 11, 27))
    a, b = list(services.expected_members(meeting)[:2])
    with pytest.raises(PortalError):
        services.record_attendance(
            meeting, {a.pk: ("present", ""), b.pk: ("excused", " ")}, counselor
        )
    assert Attendance.objects.filter(meeting=meeting).count() == 0
    meeting.refresh_from_db()
    assert meeting.status == "planned"


@time_machine.travel(datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_two_misses_in_a_row_flag_once_and_tell_counselor_and_teacher(world, semester, network):
    counselor = world.counselor
    member = network.member
    teacher = world.teacher
    first = new_meeting(semester, datetime.date(2026, 11, 26))
    second = new_meeting(semester, datetime.date(2026, 11, 27))
    third = new_meeting(semester, datetime.date(2026, 11, 28))
    assert services.record_attendance(first, {member.pk: ("absent", "")}, counselor) == []
    flagged = services.record_attendance(second, {member.pk: ("absent", "")}, counselor)
    assert flagged == [member]
    assert MissedTwiceFlag.objects.filter(member=member).count() == 1
    notes = Notification.objects.filter(
        kind="committees.missed_twice", title__contains=member.student.name
    )
    recipients = set(notes.values_list("recipient", flat=True))
    assert {world.counselor.pk, world.counselor2.pk, teacher.pk} <= recipients
    assert world.teacher.pk in recipients and world.stranger.pk not in recipients
    # Saving the same attendance again raises nothing new.
    assert services.record_attendance(second, {member.pk: ("absent", "")}, counselor) == []
    # Present at the third: no flag for it.
    assert services.record_attendance(third, {member.pk: ("present", "")}, counselor) == []
    assert MissedTwiceFlag.objects.filter(member=member).count() == 1


def test_excused_is_not_a_miss(world, semester, network):
    counselor = world.counselor
    member = network.member
    with time_machine.travel(
        datetime.datetime(2026, 11, 29, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        m1 = new_meeting(semester, datetime.date(2026, 11, 26))
        m2 = new_meeting(semester, datetime.date(2026, 11, 27))
        services.record_attendance(m1, {member.pk: ("absent", "")}, counselor)
        assert services.record_attendance(m2, {member.pk: ("excused", "病假")}, counselor) == []


def test_appoint_creates_account_with_one_time_password(client, sign_in, world, semester, network):
    cls = world.cls_b  # one member so far
    student = world.students[cls.pk][2]
    assert student.user is None
    counselor = sign_in(world.counselor)
    response = counselor.post(
        reverse("committees:member-appoint", args=[cls.pk]) + f"?semester={semester.pk}",
        {"student": student.pk},
    )
    assert response.status_code == 200
    html = response.content.decode()
    student.refresh_from_db()
    user = student.user
    assert user is not None and user.must_change_password
    assert user.username in html
    start = html.index('id="new-password"')
    password = html[start:].split(">", 1)[1].split("<", 1)[0]
    assert len(password) == 10
    assert user.check_password(password)
    assert Role.objects.filter(user=user, kind="committee_member", school_class=cls).exists()
    # The one-time password forces a change at first sign-in.
    client.logout()
    signed_in = client.post(reverse("login"), {"username": user.username, "password": password})
    assert signed_in.status_code == 302
    assert client.get(reverse("home")).url == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Xinli-2026-new",
            "new_password2": "Xinli-2026-new",
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("home")).status_code == 200


def test_a_class_has_at_most_two_members(world, semester, network):
    cls = world.cls_b  # one member so far
    counselor = world.counselor
    students = world.students[cls.pk][2:4]
    services.appoint(semester, students[0], counselor)
    with pytest.raises(PortalError) as error:
        services.appoint(semester, students[1], counselor)
    assert error.value.code == "class_full"
    assert CommitteeMember.objects.filter(semester=semester, school_class=cls).active().count() == 2


def test_replacement_keeps_history_and_moves_the_role(world, semester, network):
    counselor = world.counselor
    old = network.member
    new_student = world.students[world.cls.pk][2]
    new, password = services.end(old, counselor, reason="转学", replacement=new_student)
    old.refresh_from_db()
    assert old.ended_on == timezone.localdate() and old.end_reason == "转学"
    assert old.replaced_by == new and password
    role = Role.objects.get(user=world.member, kind="committee_member")
    assert role.ends_on is not None and role.ends_on < timezone.localdate()
    assert Role.objects.current().filter(user=new.student.user, kind="committee_member").exists()


def test_carry_over_from_last_semester(world, spring, semester, network):
    assert services.classes_without_member(spring).count() == 4
    count = services.carry_over(spring, world.counselor)
    assert count == CommitteeMember.objects.filter(semester=semester).active().count() == 5
    assert services.classes_without_member(spring).count() == 0
    # Twice is harmless.
    assert services.carry_over(spring, world.counselor) == 0


def test_classes_without_member_on_the_page(sign_in, world, network):
    client = sign_in(world.counselor)
    html = client.get(reverse("committees:member-list")).content.decode()
    assert 'id="missing-count">0<' in html
    # cls keeps `second`: ending both of its members leaves one class without.
    CommitteeMember.objects.filter(pk__in=[network.member.pk, network.second.pk]).update(
        ended_on=timezone.localdate(), end_reason="x"
    )
    html = client.get(reverse("committees:member-list")).content.decode()
    assert 'id="missing-count">1<' in html


def test_reminders_day_before_once(world, network):
    meeting = network.planned
    day_before = meeting.date - datetime.timedelta(days=1)
    noon = datetime.datetime.combine(day_before, datetime.time(8, 0), tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        assert services.send_reminders() == 1
        assert services.send_reminders() == 0
    notes = Notification.objects.filter(kind="committees.meeting_reminder")
    recipients = set(notes.values_list("recipient", flat=True))
    assert {m.student.user_id for m in network.members} <= recipients
    officers = AssociationOfficer.objects.current(day_before).filter(school=world.school)
    assert {o.student.user_id for o in officers} <= recipients
    assert officers.count() == 3
    assert world.stranger.pk not in recipients
    # Two days before: nothing.
    with time_machine.travel(noon - datetime.timedelta(days=1), tick=False):
        assert services.send_reminders() == 0


def test_member_sees_own_record_not_others(sign_in, world, semester, network):
    client = sign_in(world.member)
    own = network.member
    other = network.member03
    assert client.get(reverse("committees:my-record")).url == reverse(
        "committees:member-detail", args=[own.pk]
    )
    page = client.get(reverse("committees:member-detail", args=[own.pk]))
    assert page.status_code == 200 and "培训记录" in page.content.decode()
    assert client.get(reverse("committees:member-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("committees:member-list")).status_code == 403
    assert client.get(reverse("committees:rates")).status_code == 403
    meeting = Meeting.objects.filter(semester=semester).first()
    assert client.get(reverse("committees:attendance", args=[meeting.pk])).status_code == 403
    assert client.get(reverse("committees:schedule")).status_code == 200


def test_officer_may_take_attendance_and_write_minutes(sign_in, network):
    client = sign_in(network.member02.student.user)  # the chair
    meeting = network.held
    page = client.get(reverse("committees:attendance", args=[meeting.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("committees:minutes", args=[meeting.pk]), {"text": "协会干部补充的纪要"}
    )
    assert response.status_code == 302
    assert meeting.minutes.first().text == "协会干部补充的纪要"
    assert meeting.minutes.count() == 2  # the first revision is kept
    assert client.get(reverse("committees:meeting-edit", args=[meeting.pk])).status_code == 403


def test_teacher_sees_its_class_rates_only(sign_in, world, network):
    html = sign_in(world.counselor).get(reverse("committees:rates")).content.decode()
    assert world.cls.name in html and world.other_cls.name in html
    html = sign_in(world.teacher).get(reverse("committees:rates")).content.decode()
    assert world.cls.name in html
    assert world.other_cls.name not in html


def test_material_upload_limits(sign_in, world, network, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = sign_in(world.counselor)
    meeting = network.planned
    url = reverse("committees:material-upload", args=[meeting.pk])
    bad_type = client.post(url, {"title": "x", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad_type.status_code == 200 and meeting.materials.count() == 0
    big = SimpleUploadedFile("x.pdf", b"0" * (20 * 1024 * 1024 + 1))
    assert client.post(url, {"title": "x", "file": big}).status_code == 200
    assert meeting.materials.count() == 0
    ok = client.post(url, {"title": "讲义", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")})
    assert ok.status_code == 302 and meeting.materials.count() == 1
    download = client.get(
        reverse("committees:material-download", args=[meeting.materials.get().pk])
    )
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 test"


def test_semester_figures(semester, network):
    members = CommitteeMember.objects.for_semester(semester).figures()
    assert members == {"members": 5, "classes": 4}
    figures = Meeting.objects.for_semester(semester).figures()
    assert figures["meeting"] == {"planned": 2, "held": 1, "cancelled": 1}
    assert figures["training"] == {"planned": 1, "held": 1, "cancelled": 0}
    done = Attendance.objects.filter(meeting__semester=semester).modules_completed()
    assert set(done) == {(m.pk, network.module.pk) for m in network.members}
