import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.booking.models import Origin
from consultations.hours.models import Channel
from consultations.online.services import counselors_of
from consultations.room.models import ReasonCategory
from consultations.students.forms import StudentField, clean_student


def _categories(school):
    return ReasonCategory.objects.filter(school=school).active()


class BookForm(forms.Form):
    channel = forms.ChoiceField(label=_("How"), widget=forms.RadioSelect)
    category = forms.ModelChoiceField(
        label=_("What it is about"), queryset=ReasonCategory.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("In your own words (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only your counselor and the head counselor read this."),
    )

    def __init__(self, *args, school, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c.value, c.label) for c in channels]
        if len(channels) == 1:
            self.fields["channel"].initial = channels[0].value
        self.fields["category"].queryset = _categories(school)
        self.fields["category"].empty_label = _("I'd rather not say")


class TalkRequestForm(forms.Form):
    channel = forms.ChoiceField(label=_("How you would like to talk"), choices=Channel.choices)
    category = forms.ModelChoiceField(
        label=_("What it is about"), queryset=ReasonCategory.objects.none(), required=False
    )
    when_suits = forms.CharField(
        label=_("When suits you"),
        required=False,
        max_length=120,
        help_text=_("For example: Tuesday afternoons."),
    )
    reason = forms.CharField(
        label=_("In your own words (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the head counselor and the counselor who answers read this."),
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories(school)
        self.fields["category"].empty_label = _("I'd rather not say")


class WhenForm(forms.Form):
    """A counselor's choice of time: any date and time (walk-ins come when they come)."""

    counselor = forms.ModelChoiceField(label=_("Counselor"), queryset=None, required=False)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    channel = forms.ChoiceField(label=_("How"), choices=Channel.choices)

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        if school.pk in user.access.head_counselor_school_ids:
            self.fields["counselor"].queryset = counselors_of(school)
            self.fields["counselor"].initial = user.pk
            self.fields["counselor"].empty_label = None
        else:
            del self.fields["counselor"]
        self.fields["date"].initial = timezone.localdate()

    def starts_at(self):
        naive = datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive)


class OnBehalfForm(WhenForm):
    student_number = StudentField(label=_("Student"))
    origin = forms.ChoiceField(
        label=_("How it came"),
        choices=[c for c in Origin.choices if c[0] not in ("student", "request")],
    )
    category = forms.ModelChoiceField(
        label=_("What it is about"), queryset=ReasonCategory.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason (only you and the head counselor read it)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field_order = ["student_number", "origin", "counselor", "date", "time", "channel"]

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, school=school, user=user, **kwargs)
        self.school, self.user = school, user
        self.fields["category"].queryset = _categories(school)

    def clean_student_number(self):
        student = clean_student(self.cleaned_data["student_number"], self.user, self.school)
        self.cleaned_data["student"] = student
        return student.student_number


class CancelForm(forms.Form):
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=200)
