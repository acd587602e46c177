"""Committee members on the shared world (tests/personas.py): the world gives `member` the
member's role in `cls`, not the CommitteeMember row the committee pages look for; these
helpers add it, and more members, the way an appointment leaves them, and a semester of
the network's meetings (`Network`)."""

import datetime

from committees.models import (
    AssociationOfficer,
    CommitteeMember,
    Meeting,
    MinutesRevision,
    TrainingModule,
)
from committees.network import services as network_services
from counseling.models import Role
from tests.factories import RoleFactory, UserFactory


def appoint(world, student, *, username=None, semester=None, **extra):
    """`student` serving its class in the world's semester (appointed on its first day),
    with an account (made as `username` if it has none) and the member's role."""
    semester = semester or world.semester
    if not student.user_id:
        student.user = UserFactory(
            username=username or f"w-{student.student_number}", full_name=student.name
        )
        student.save(update_fields=["user"])
    cls = student.school_class
    if not Role.objects.filter(
        user=student.user, kind=Role.Kind.COMMITTEE_MEMBER, school_class=cls
    ).exists():
        RoleFactory(
            user=student.user,
            kind=Role.Kind.COMMITTEE_MEMBER,
            school=world.school,
            school_class=cls,
        )
    return CommitteeMember.objects.create(
        semester=semester,
        school_class=cls,
        student=student,
        appointed_on=extra.pop("appointed_on", semester.first_monday),
        **extra,
    )


def appoint_member(world):
    """The world's `member` in office for `cls` (its CommitteeMember row)."""
    return appoint(world, world.member_student)


def new_meeting(semester, date, kind=Meeting.Kind.MEETING, **extra):
    fields = {
        "start_time": datetime.time(16, 30),
        "end_time": datetime.time(17, 30),
        "place": "心理辅导中心",
    }
    fields.update(extra)
    return Meeting.objects.create(semester=semester, kind=kind, date=date, **fields)


class Network:
    """The world's committee network in its semester, counted by hand.

    Five members serve the four classes: `member` and `second` in `cls`, `member_b` in
    `cls_b` (three in `dept`), `member02` in `other_cls`, `member03` in `other_cls_b`.
    The association's officers: `member02` chair, `member_b` vice chair, `member03`
    secretary (`member` is none). Meetings are on Thursdays and Fridays (the demo's are on
    Wednesdays, and reminders go out for every school): a meeting held on
    5 November (everyone present, one minutes revision), a training held on 12 November
    with the module `module` (everyone present), a meeting cancelled on 19 November, and
    `planned`, a meeting on Friday 11 December.
    """

    def __init__(self, world):
        students = world.students
        self.member = appoint(world, world.member_student)
        self.second = appoint(world, students[world.cls.pk][1])
        self.member_b = appoint(world, students[world.cls_b.pk][0])
        self.member02 = appoint(world, students[world.other_cls.pk][0], username="w-member02")
        self.member03 = appoint(world, students[world.other_cls_b.pk][0], username="w-member03")
        self.members = [self.member, self.second, self.member_b, self.member02, self.member03]
        self.in_dept = [self.member, self.second, self.member_b]
        self.officers = [
            AssociationOfficer.objects.create(
                school=world.school,
                student=m.student,
                position=position,
                starts_on=world.semester.first_monday,
            )
            for m, position in (
                (self.member02, AssociationOfficer.Position.CHAIR),
                (self.member_b, AssociationOfficer.Position.VICE_CHAIR),
                (self.member03, AssociationOfficer.Position.SECRETARY),
            )
        ]
        self.module = TrainingModule.objects.create(
            school=world.school, order=1, title="认识心理委员的角色"
        )
        everyone = {m.pk: ("present", "") for m in self.members}
        semester, counselor = world.semester, world.counselor
        self.held = new_meeting(semester, datetime.date(2026, 11, 5), topic="期中例会")
        network_services.record_attendance(self.held, everyone, counselor)
        MinutesRevision.objects.create(meeting=self.held, author=counselor, text="各班整体平稳。")
        self.training = new_meeting(semester, datetime.date(2026, 11, 12), Meeting.Kind.TRAINING)
        self.training.modules.add(self.module)
        network_services.record_attendance(self.training, everyone, counselor)
        self.cancelled = new_meeting(semester, datetime.date(2026, 11, 19))
        network_services.cancel_meeting(self.cancelled, counselor, reason="学校运动会")
        self.planned = new_meeting(semester, datetime.date(2026, 12, 11), topic="期末例会")
