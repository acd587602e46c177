"""The public feedback form: satisfaction 1–5 and two short answers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from lectures.feedback.models import Feedback


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Tap a number from 1 to 5.")},
    )
    helped = forms.CharField(
        label=Feedback._meta.get_field("helped").verbose_name,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    wish = forms.CharField(
        label=Feedback._meta.get_field("wish").verbose_name,
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
