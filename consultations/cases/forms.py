from django import forms
from django.utils.translation import gettext_lazy as _

from consultations.cases.models import Case, ReferralService, Risk, SessionNote
from consultations.students.forms import StudentField, clean_student

DATE = forms.DateInput(attrs={"type": "date"})
TEXT = forms.Textarea(attrs={"rows": 3})


class CaseForm(forms.Form):
    student = StudentField(label=_("Student"))
    origin = forms.ChoiceField(label=_("Came through"), choices=Case.Origin.choices)
    concern = forms.ChoiceField(label=_("Concern"), choices=Case.Concern.choices)
    concerns = forms.CharField(label=_("Presenting concerns"), widget=TEXT, required=False)
    risk = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices, initial=Risk.NONE)
    rating = forms.IntegerField(label=_("Rating at opening (1–10)"), min_value=1, max_value=10)

    def __init__(self, *args, school, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.school, self.user = school, user

    def clean_student(self):
        return clean_student(self.cleaned_data["student"], self.user, self.school)


class NoteForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SessionNote.Kind.choices)
    body = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}))


class AmendForm(forms.Form):
    body = forms.CharField(label=_("Amendment"), widget=TEXT)
    reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class RiskForm(forms.Form):
    level = forms.ChoiceField(label=_("Risk level"), choices=Risk.choices)
    reason = forms.CharField(label=_("Why"), required=False, max_length=200)


class ParentContactForm(forms.Form):
    with_whom = forms.CharField(label=_("With whom"), max_length=60)
    body = forms.CharField(label=_("What was said"), widget=TEXT)


class ReferralForm(forms.Form):
    service = forms.ModelChoiceField(label=_("Where"), queryset=ReferralService.objects.none())
    why = forms.CharField(label=_("Why"), widget=TEXT)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = ReferralService.objects.filter(school=school)


class FollowUpForm(forms.Form):
    referral = forms.IntegerField(widget=forms.HiddenInput)
    body = forms.CharField(label=_("Follow-up"), widget=TEXT)


class PlanForm(forms.Form):
    goals = forms.CharField(label=_("Goals"), widget=TEXT)
    measures = forms.CharField(label=_("Measures"), widget=TEXT)
    responsibilities = forms.CharField(label=_("Who does what"), widget=TEXT)
    review_on = forms.DateField(label=_("Review date"), widget=DATE)


class ReviewForm(forms.Form):
    body = forms.CharField(label=_("Review"), widget=TEXT)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=120)
    due_on = forms.DateField(label=_("Due"), widget=DATE)


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=TEXT)
    risk = forms.ChoiceField(label=_("Risk level at closing"), choices=Risk.choices)
    rating = forms.IntegerField(label=_("Rating at closing (1–10)"), min_value=1, max_value=10)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(label=_("Why do you need to open this case?"), max_length=300)
