from django import forms
from django.utils.translation import gettext_lazy as _

from committees.network.models import (
    AssociationOfficer,
    Attendance,
    CommitteeMember,
    Material,
    Meeting,
    TrainingModule,
)
from counseling.forms import DateInput, TimeInput, offer_rows
from counseling.models import WEEKDAYS, Department, Student
from counseling.uploads import check_count


class AppointForm(forms.Form):
    student = forms.ModelChoiceField(queryset=Student.objects.none(), label=_("Student"))
    term_ends_on = forms.DateField(
        label=_("Term ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the usual two years."),
    )

    def __init__(self, *args, school_class, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = Student.objects.filter(
            school_class=school_class, is_active=True
        ).order_by("student_number")


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)
    replacement = forms.ModelChoiceField(
        queryset=Student.objects.none(),
        label=_("Replacement"),
        required=False,
        help_text=_("Optional: a classmate who takes over at once."),
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["replacement"].queryset = (
            Student.objects.filter(school_class=member.school_class, is_active=True)
            .exclude(pk=member.student_id)
            .order_by("student_number")
        )


class ScheduleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Weekday"), choices=WEEKDAYS, coerce=int, initial=2)
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput(), initial="16:30")
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput(), initial="17:30")
    place = forms.CharField(label=_("Place"), max_length=100)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A meeting must end after it starts."))
        return data


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "date", "start_time", "end_time", "place", "topic", "agenda", "modules"]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "modules": forms.CheckboxSelectMultiple,
            "agenda": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, semester, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.semester = semester
        self.fields["modules"].queryset = TrainingModule.objects.filter(
            school=semester.school, is_active=True
        )
        self.fields["modules"].required = False

    def save(self, commit=True):
        # A meeting moved to another day is reminded of again, the day before its new date.
        if self.instance.pk and "date" in self.changed_data:
            self.instance.reminder_sent_at = None
        return super().save(commit)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=200)


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 12}))


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["title", "file"]

    def clean(self):
        data = super().clean()
        if self.instance.meeting_id and self.instance.pk is None:
            check_count(Material.objects.filter(meeting_id=self.instance.meeting_id))
        return data


class ModuleForm(forms.ModelForm):
    class Meta:
        model = TrainingModule
        fields = ["order", "title", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        clash = TrainingModule.objects.filter(school=self.instance.school, title=title)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("The curriculum already has a module of this title."))
        return title


class OfficerForm(forms.ModelForm):
    class Meta:
        model = AssociationOfficer
        fields = ["student", "position", "department", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, semester, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = semester.school
        members = CommitteeMember.objects.active().filter(semester=semester)
        students = Student.objects.filter(pk__in=members.values("student")).select_related(
            "school_class"
        )
        self.fields["student"].label_from_instance = lambda s: f"{s.name} · {s.school_class}"
        # A large school's 600 serving members: listed from rows.
        offer_rows(
            self.fields["student"],
            students,
            (
                (pk, f"{name} · {cls}")
                for pk, name, cls in students.values_list("pk", "name", "school_class__name")
            ),
        )
        self.fields["department"].queryset = Department.objects.filter(
            school=semester.school, is_active=True
        )


ATTENDANCE_CHOICES = Attendance.Status.choices
