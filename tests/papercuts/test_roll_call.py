"""After the association chair takes the roll, the meeting's card shows the roll it took
(every member, every count), not only the chair's own row."""

import datetime

import pytest
from django.urls import reverse

from committees.models import AssociationOfficer, Attendance, CommitteeMember, Meeting
from counseling.models import Role
from tests.factories import RoleFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roll(world):
    """A member in every class of the world; the chair serves in another department's class."""
    members = {
        c.pk: CommitteeMember.objects.create(
            semester=world.semester,
            school_class=c,
            student=world.students[c.pk][0],
            appointed_on=datetime.date(2026, 9, 1),
        )
        for c in world.classes
    }
    chair_student = world.students[world.other_cls.pk][0]
    chair = UserFactory(username="w-chair", full_name=chair_student.name)
    chair_student.user = chair
    chair_student.save(update_fields=["user"])
    RoleFactory(
        user=chair,
        kind=Role.Kind.COMMITTEE_MEMBER,
        school=world.school,
        school_class=world.other_cls,
    )
    AssociationOfficer.objects.create(
        school=world.school,
        student=chair_student,
        position=AssociationOfficer.Position.CHAIR,
        starts_on=datetime.date(2026, 9, 1),
    )
    meeting = Meeting.objects.create(
        semester=world.semester,
        kind=Meeting.Kind.MEETING,
        date=datetime.date(2026, 9, 16),
        start_time=datetime.time(16, 30),
        end_time=datetime.time(17, 30),
        place="团体活动室",
    )
    return {"chair": chair, "members": members, "meeting": meeting}


def test_the_chairs_card_shows_the_whole_roll(world, client, roll):
    meeting, members = roll["meeting"], roll["members"]
    client.force_login(roll["chair"])
    response = client.post(
        reverse("committees:attendance", args=[meeting.pk]),
        {f"m{members[world.cls_b.pk].pk}": "absent", "rest": "present"},
        follow=True,
    )
    assert Attendance.objects.filter(meeting=meeting).count() == 4
    summary = {status: n for _label, n, status in response.context["summary"]}
    assert summary == {"present": 3, "late": 0, "excused": 0, "absent": 1}
    assert len(list(response.context["attendance"])) == 4
    page = response.content.decode()
    for member in members.values():
        assert member.student.name in page


def test_a_member_who_does_not_take_the_roll_sees_its_own_row_only(world, client, roll):
    meeting, members = roll["meeting"], roll["members"]
    for member in members.values():
        Attendance.objects.create(
            meeting=meeting, member=member, status="present", recorded_by=world.counselor
        )
    client.force_login(world.member)
    response = client.get(reverse("committees:meeting-detail", args=[meeting.pk]))
    assert [a.member_id for a in response.context["attendance"]] == [members[world.cls.pk].pk]
