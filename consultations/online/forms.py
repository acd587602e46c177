from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.online.services import MAX_LENGTH, counselors_of


class ThreadForm(forms.Form):
    counselor = forms.ModelChoiceField(label=_("To"), queryset=None, empty_label=None)
    subject = forms.CharField(label=_("Subject"), max_length=120)
    body = forms.CharField(
        label=_("Message"), max_length=MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counselor"].queryset = counselors_of(school)


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkForm(forms.Form):
    meeting_link = forms.URLField(
        label=_("Video meeting link"), required=False, assume_scheme="https"
    )
