from django import forms

from consultations.room.models import ReasonCategory, Room, RoomSettings


class RoomSettingsForm(forms.ModelForm):
    class Meta:
        model = RoomSettings
        fields = [
            "answer_hours",
            "hotlines",
            "emergency_text",
            "slot_minutes",
            "min_notice_hours",
            "days_ahead",
            "max_open_bookings",
            "cancel_cutoff_hours",
            "no_show_limit",
            "no_show_rule",
            "closed_in_breaks",
        ]
        widgets = {
            "answer_hours": forms.Textarea(attrs={"rows": 2}),
            "hotlines": forms.Textarea(attrs={"rows": 3}),
            "emergency_text": forms.Textarea(attrs={"rows": 2}),
        }


class ReasonCategoryForm(forms.ModelForm):
    class Meta:
        model = ReasonCategory
        fields = ["name", "order"]


class RoomForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["name", "location"]
