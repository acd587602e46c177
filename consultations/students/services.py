"""Finding a student of the counselor's school: by student number (exact) or by name.

The room's forms take a typed student number (or a name) instead of listing the roster, so a
page costs the same at 50 students or 30,000; the suggestions come from `search`, at most
SUGGESTIONS rows whatever the school's size.
"""

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext_lazy as _

from counseling.errors import PortalError
from counseling.models import Student

SUGGESTIONS = 20


def roster(user, school):
    """The students a counselor may pick: its school's, on the roster, within its scope."""
    return Student.objects.visible_to(user).filter(school=school, is_active=True)


def search(user, school, text, limit=SUGGESTIONS):
    """Suggestions for what was typed: the student with this number, then names that begin
    with it, then names that contain it."""
    text = (text or "").strip()
    if not text:
        return []
    rank = Case(
        When(student_number=text, then=Value(0)),
        When(name__startswith=text, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(
        roster(user, school)
        .filter(Q(student_number=text) | Q(name__contains=text))
        .select_related("school_class")
        .annotate(rank=rank)
        .order_by("rank", "name", "student_number")[:limit]
    )


def find(user, school, text):
    """The one student meant by a student number or a full name; PortalError otherwise."""
    text = (text or "").strip()
    students = roster(user, school).select_related("school", "school_class")
    by_number = students.filter(student_number=text).first()
    if by_number is not None:
        return by_number
    if text.isdigit():
        raise PortalError("unknown_student", _("No student on the roster has this number."))
    # Two rows are enough to know the name is not unique.
    named = list(students.filter(name=text)[:2])
    if len(named) == 1:
        return named[0]
    if named:
        raise PortalError(
            "ambiguous_student",
            _("Several students have this name: enter the student number."),
        )
    raise PortalError(
        "unknown_student", _("No student on the roster has this student number or name.")
    )
