from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.hours.models import CounselorHours, HoursException
from consultations.online.services import counselors_of
from consultations.room.models import Room


class HoursForm(forms.ModelForm):
    class Meta:
        model = CounselorHours
        fields = [
            "counselor",
            "weekday",
            "starts_at",
            "ends_at",
            "room",
            "in_person",
            "phone",
            "online",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["room"].queryset = Room.objects.filter(school=school).active()
        if school.pk in user.access.head_counselor_school_ids:
            self.fields["counselor"].queryset = counselors_of(school)
        else:
            del self.fields["counselor"]
            self.instance.counselor = self.instance.counselor if self.instance.pk else user


class ExceptionForm(forms.ModelForm):
    class Meta:
        model = HoursException
        fields = ["counselor", "kind", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        if school.pk in user.access.head_counselor_school_ids:
            self.fields["counselor"].queryset = counselors_of(school)
            self.fields["counselor"].empty_label = _("The whole room")
        else:
            del self.fields["counselor"]
            self.instance.counselor = user
