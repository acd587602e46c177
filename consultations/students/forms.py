"""A student typed, not picked from a list: the field the room's forms share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.students import services
from counseling.errors import PortalError
from counseling.forms import SuggestedField


class StudentField(SuggestedField):
    """The student number or the full name, with suggestions."""

    search_url = "consultations:student-search"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        kwargs.setdefault(
            "help_text", _("The student number, or the full name; suggestions appear as you type.")
        )
        super().__init__(**kwargs)


def clean_student(text, user, school):
    """The Student meant by what was typed, or the form's error saying what to type."""
    try:
        return services.find(user, school, text)
    except PortalError as refused:
        raise forms.ValidationError(refused.message, code=refused.code) from None


def initial_number(request, user, school):
    """`?student=<pk>` (a link from an alert or a letter) written as its student number."""
    wanted = request.GET.get("student", "")
    if not wanted.isdigit():
        return None
    student = services.roster(user, school).filter(pk=wanted).first()
    return student.student_number if student else None
