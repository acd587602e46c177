"""Committee members on the shared world (tests/personas.py): the world gives `member` the
member's role in `cls`, not the CommitteeMember row the committee pages look for; these
helpers add it, and more members, the way an appointment leaves them."""

from committees.models import CommitteeMember
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
