from django import forms
from django.utils.translation import gettext_lazy as _


class SectionForm(forms.Form):
    heading = forms.CharField(label=_("Heading"), max_length=100)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_(
            "A figure goes in as its placeholder between 〔 〕, e.g. 〔lectures.sessions〕: "
            "the number is filled in when the report is shown, and frozen when it is "
            "submitted. A line that starts with （一） is a level-2 heading."
        ),
    )
