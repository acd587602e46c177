"""Forms for group activities: a design of the library, a session run with it, its record."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from counseling.forms import DateInput, offer_classes, staff_users
from counseling.models import Role
from lectures.activities.models import ActivityDesign, ActivitySession
from lectures.events.forms import EndsAfterItStarts, TimeInput, school_classes
from lectures.events.models import Status, Venue


class ActivityDesignForm(forms.ModelForm):
    class Meta:
        model = ActivityDesign
        fields = [
            "name",
            "goal",
            "target_group",
            "duration_minutes",
            "materials",
            "steps",
            "cautions",
            "is_active",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 2}),
            "materials": forms.Textarea(attrs={"rows": 2}),
            "steps": forms.Textarea(attrs={"rows": 6}),
            "cautions": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = ActivityDesign.objects.filter(school=self.instance.school, name=name)
        if clash.exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("The library already has a design of this name."))
        return name


class ActivitySessionForm(EndsAfterItStarts, forms.ModelForm):
    class Meta:
        model = ActivitySession
        fields = [
            "date",
            "start_time",
            "end_time",
            "venue",
            "facilitators",
            "school_class",
            "target_group",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, design, semester, **kwargs):
        super().__init__(*args, **kwargs)
        school = design.school
        self.instance.design = design
        self.instance.semester = semester
        self.fields["venue"].queryset = Venue.objects.filter(school=school).filter(
            Q(is_active=True) | Q(pk=self.instance.venue_id or 0)
        )
        self.fields["venue"].required = False
        # The school's counselors first: they run most sessions; then everyone else on staff.
        counselor = Role.objects.current().filter(
            user=OuterRef("pk"), school=school, kind=Role.Kind.COUNSELOR
        )
        self.fields["facilitators"].queryset = (
            staff_users(school)
            .annotate(is_counselor=Exists(counselor))
            .order_by("-is_counselor", "full_name", "username")
        )
        offer_classes(self.fields["school_class"], school_classes(school))
        if not self.instance.pk and not self.is_bound:
            start = datetime.time(15, 0)
            end = (
                datetime.datetime.combine(datetime.date.today(), start)
                + datetime.timedelta(minutes=design.duration_minutes)
            ).time()
            # model_to_dict gave None for both: a usual afternoon slot, the design's length.
            self.initial["start_time"] = self.initial.get("start_time") or start
            self.initial["end_time"] = self.initial.get("end_time") or end

    def clean(self):
        data = super().clean()
        date = data.get("date")
        if date and not self.instance.semester.contains(date):
            self.add_error(
                "date",
                _("%(date)s is outside the semester %(semester)s.")
                % {"date": date, "semester": self.instance.semester},
            )
        if not data.get("school_class") and not (data.get("target_group") or "").strip():
            self.add_error(
                "target_group", _("Choose a class or describe the group the activity is for.")
            )
        return data


class ActivityRecordForm(forms.ModelForm):
    class Meta:
        model = ActivitySession
        fields = ["status", "participants", "what_happened", "reflection"]
        widgets = {
            "status": forms.RadioSelect,
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "reflection": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean(self):
        data = super().clean()
        if data.get("status") == Status.HELD:
            if data.get("participants") in (None, ""):
                self.add_error("participants", _("How many took part?"))
            if self.instance.date > self.today:
                self.add_error("status", _("A session is held on its day, not before."))
        return data
