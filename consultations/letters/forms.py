from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.cases.models import Case, Risk
from consultations.letters.services import MAX_LETTER


class LetterForm(forms.Form):
    body = forms.CharField(
        label=_("Your letter"),
        max_length=MAX_LETTER,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Write what troubles you. A counselor answers within a few days."),
    )
    signed = forms.BooleanField(
        label=_("Sign with my name (a counselor may then talk with me)"), required=False
    )
    publish_consent = forms.BooleanField(
        label=_(
            "My question and its answer may be shown on the bulletin board, without anything "
            "that tells who I am"
        ),
        required=False,
    )

    def __init__(self, *args, can_sign=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_sign:
            del self.fields["signed"]


class PickupForm(forms.Form):
    code = forms.CharField(label=_("Pick-up code"), max_length=20)


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 8}))


class PublishForm(forms.Form):
    question = forms.CharField(
        label=_("Question as shown"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Rewrite it so that nothing tells who wrote it."),
    )
    answer = forms.CharField(label=_("Answer as shown"), widget=forms.Textarea(attrs={"rows": 4}))


class LetterCaseForm(forms.Form):
    concern = forms.ChoiceField(label=_("Concern"), choices=Case.Concern.choices)
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices, initial=Risk.NONE)
    rating = forms.IntegerField(label=_("Rating at opening (1–10)"), min_value=1, max_value=10)
