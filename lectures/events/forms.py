"""Forms for lectures, their sessions and venues, and the widgets and choices the app's other
forms share (TimeInput, the school's classes).

Every form is given its school (and, where it matters, its lecture or semester) and scopes each
choice to it, so a crafted POST cannot attach another school's class, venue or person.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from counseling.forms import (
    DateInput,
    PlainSelect,
    TimeInput,
    class_label,
    offer_classes,
    rows_as_choices,
    staff_users,
)
from counseling.models import Department, SchoolClass
from counseling.uploads import check_count
from lectures.events.models import UPLOAD_EXTENSIONS, Lecture, SessionFile, Status, Venue
from lectures.events.services import MAX_SESSIONS


class EndsAfterItStarts:
    """For a form with `start_time` and `end_time`: a session ends after it starts."""

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("A session must end after it starts."))
        return data


def school_classes(school):
    return (
        SchoolClass.objects.active()
        .filter(department__school=school)
        .select_related("department")
        .order_by("department__name", "-enrolment_year", "name")
    )


class LectureForm(forms.ModelForm):
    years = forms.TypedMultipleChoiceField(
        label=_("Enrolment years"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a lecture to grades: 2026 are the students who started in 2026."),
    )

    class Meta:
        model = Lecture
        fields = [
            "title",
            "theme",
            "speaker",
            "speaker_user",
            "summary",
            "audience",
            "years",
            "audience_departments",
            "audience_classes",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "speaker_user": PlainSelect,
            "audience": forms.RadioSelect,
            "audience_departments": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, school, semester, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school
        if not self.instance.pk:
            self.instance.semester = semester
        years = (
            SchoolClass.objects.active()
            .filter(department__school=school)
            .order_by("-enrolment_year")
            .values_list("enrolment_year", flat=True)
            .distinct()
        )
        # A radio list needs no "---------": every lecture has an audience.
        self.fields["audience"].choices = Lecture.Audience.choices
        if not self.instance.pk:
            self.initial.setdefault("audience", Lecture.Audience.GRADES)
        self.fields["years"].choices = [(y, str(y)) for y in years]
        self.fields["years"].initial = self.instance.audience_years or []
        speaker = self.fields["speaker_user"]
        speaker.queryset = staff_users(school)
        departments = self.fields["audience_departments"]
        departments.queryset = Department.objects.filter(school=school, is_active=True)
        # Rows for the checkboxes: the field's own choices read the departments through a
        # server-side cursor (three round trips) to make model instances of them.
        departments.widget.choices = list(departments.queryset.values_list("pk", "name"))
        offer_classes(self.fields["audience_classes"], school_classes(school))
        self.fields["audience_classes"].widget.attrs["size"] = 8
        # Rows, not a large school's 600 teachers as model instances.
        speaker.widget.choices = rows_as_choices(
            (
                (pk, full or username)
                for pk, full, username in speaker.queryset.values_list(
                    "pk", "full_name", "username"
                )
            ),
            empty=speaker.empty_label,
        )

    def clean(self):
        data = super().clean()
        audience = data.get("audience")
        needs = {
            Lecture.Audience.GRADES: ("years", _("Choose at least one enrolment year.")),
            Lecture.Audience.DEPARTMENTS: (
                "audience_departments",
                _("Choose at least one department."),
            ),
            Lecture.Audience.CLASSES: ("audience_classes", _("Choose at least one class.")),
        }
        if audience in needs:
            field, message = needs[audience]
            if not data.get(field):
                self.add_error(field, message)
        return data

    def save(self, commit=True):
        audience = self.cleaned_data["audience"]
        # Only the choice that goes with the audience is kept, so the lecture never names
        # grades it does not address.
        self.instance.audience_years = (
            sorted(self.cleaned_data["years"]) if audience == Lecture.Audience.GRADES else []
        )
        lecture = super().save(commit)
        if commit:
            if audience != Lecture.Audience.DEPARTMENTS:
                lecture.audience_departments.clear()
            if audience != Lecture.Audience.CLASSES:
                lecture.audience_classes.clear()
        return lecture


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)


class SeriesForm(EndsAfterItStarts, forms.Form):
    """The part of "sessions in one step" that is not a row per session."""

    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), label=_("Venue"))
    count = forms.IntegerField(
        label=_("Number of sessions"), min_value=1, max_value=MAX_SESSIONS, initial=5
    )
    first_date = forms.DateField(label=_("First date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput(), initial="14:30")
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput(), initial="16:00")
    exclude_internship = forms.BooleanField(
        label=_("Leave out classes away on internship on those dates"),
        required=False,
        initial=True,
    )
    leave_out = forms.ModelMultipleChoiceField(
        queryset=SchoolClass.objects.none(),
        label=_("Also leave out"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, lecture, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(school=lecture.school, is_active=True)
        self.fields["leave_out"].queryset = lecture.target_classes().select_related("department")
        self.fields["leave_out"].label_from_instance = class_label


class SlotForm(EndsAfterItStarts, forms.Form):
    # Rendered as table cells, not through crispy: the classes are given here.
    date = forms.DateField(
        label=_("Date"), widget=DateInput(attrs={"class": "form-control form-control-sm"})
    )
    start_time = forms.TimeField(
        label=_("Starts at"), widget=TimeInput(attrs={"class": "form-control form-control-sm"})
    )
    end_time = forms.TimeField(
        label=_("Ends at"), widget=TimeInput(attrs={"class": "form-control form-control-sm"})
    )


SlotFormSet = formset_factory(
    SlotForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_SESSIONS,
    validate_max=True,
)


class SessionForm(EndsAfterItStarts, forms.Form):
    """One session moved or changed: its date, time, venue and classes."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    start_time = forms.TimeField(label=_("Starts at"), widget=TimeInput())
    end_time = forms.TimeField(label=_("Ends at"), widget=TimeInput())
    venue = forms.ModelChoiceField(queryset=Venue.objects.none(), label=_("Venue"))
    classes = forms.ModelMultipleChoiceField(
        queryset=SchoolClass.objects.none(),
        label=_("Classes"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A class that attends another planned session of this lecture moves here."),
    )

    def __init__(self, *args, session, **kwargs):
        lecture = session.lecture
        kwargs.setdefault(
            "initial",
            {
                "date": session.date,
                "start_time": session.start_time,
                "end_time": session.end_time,
                "venue": session.venue,
                "classes": [row.school_class_id for row in session.classes.all()],
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.filter(school=lecture.school).filter(
            Q(is_active=True) | Q(pk=session.venue_id)
        )
        current = session.classes.values("school_class")
        self.fields["classes"].queryset = (
            SchoolClass.objects.filter(department__school=lecture.school)
            .filter(Q(pk__in=lecture.target_classes().values("pk")) | Q(pk__in=current))
            .select_related("department")
            .order_by("department__name", "-enrolment_year", "name")
        )
        self.fields["classes"].label_from_instance = class_label


class RecordForm(forms.Form):
    """Attendance after a session: a number per class, or one head count for the hall."""

    PER_CLASS, TOTAL = "class", "total"

    mode = forms.ChoiceField(
        label=_("Attendance"),
        choices=[(PER_CLASS, _("Per class")), (TOTAL, _("One total for the session"))],
        widget=forms.RadioSelect,
        initial=PER_CLASS,
    )
    total = forms.IntegerField(
        label=_("Students present in all"),
        min_value=0,
        required=False,
        help_text=_("Shared out over the classes by their size."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for row in self.rows:
            self.fields[f"c{row.school_class_id}"] = forms.IntegerField(
                label=str(row.school_class),
                min_value=0,
                required=False,
                initial=row.actual,
                widget=forms.NumberInput(
                    attrs={"inputmode": "numeric", "placeholder": str(row.expected)}
                ),
            )

    def class_fields(self):
        return [(row, self[f"c{row.school_class_id}"]) for row in self.rows]

    def clean(self):
        data = super().clean()
        if data.get("mode") == self.TOTAL:
            if data.get("total") is None:
                self.add_error("total", _("Give the number of students present."))
            data["by_class"] = {}
        else:
            data["total"] = None
            data["by_class"] = {
                row.school_class_id: data[f"c{row.school_class_id}"]
                for row in self.rows
                if data.get(f"c{row.school_class_id}") is not None
            }
            if self.rows and not data["by_class"]:
                raise ValidationError(_("Give the number present for at least one class."))
        return data


class SessionFileForm(forms.ModelForm):
    class Meta:
        model = SessionFile
        fields = ["kind", "title", "file"]
        widgets = {
            "file": forms.ClearableFileInput(
                attrs={"accept": ",".join(f".{ext}" for ext in UPLOAD_EXTENSIONS)}
            )
        }

    # Size and content (the first bytes are those of the extension's format) are checked by
    # the model field's validators, counseling.uploads.validate_content.

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload and data.get("kind") == SessionFile.Kind.PHOTO:
            ext = upload.name.rsplit(".", 1)[-1].lower()
            if ext not in ("jpg", "jpeg", "png"):
                self.add_error("file", _("A photo is a JPEG or PNG file."))
        if self.instance.session_id and self.instance.pk is None:
            check_count(SessionFile.objects.filter(session_id=self.instance.session_id))
        return data


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "capacity", "is_active"]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Venue.objects.filter(school=self.instance.school, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("The school already has a venue of this name."))
        return name
