"""Forms for publicity: bulletin board issues and panels, questions, open letters, theme
months and their events, contests (settings, entries, scores, awards)."""

import datetime

from django import forms
from django.forms import inlineformset_factory
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from counseling.forms import DateInput
from counseling.models import Semester
from lectures.events.forms import TimeInput, school_classes
from lectures.events.models import Venue
from lectures.publicity.models import (
    Award,
    BulletinIssue,
    BulletinPanel,
    Contest,
    ContestEntry,
    OpenLetter,
    RubricCriterion,
    StudentQuestion,
    ThemeEvent,
    ThemeMonth,
)


class MonthInput(forms.DateInput):
    """<input type="month">: a phone shows a month picker; the value is YYYY-MM."""

    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


def semester_covering(school, first, last=None):
    """The school's semester that has a day in [first, last], the latest one if several."""
    last = last or first
    for semester in Semester.objects.filter(school=school).order_by("-first_monday"):
        if semester.first_monday <= last and semester.last_day >= first:
            return semester
    return None


class SchoolFormMixin:
    """A model form whose instance belongs to the acting user's school (set, never chosen)."""

    def __init__(self, *args, school, **kwargs):
        self.school = school
        super().__init__(*args, **kwargs)

    def set_semester(self, field, first, last=None):
        semester = semester_covering(self.school, first, last)
        if semester is None:
            self.add_error(field, _("No semester of the school covers this date."))
        else:
            self.instance.semester = semester
        self.instance.school = self.school


class BulletinIssueForm(SchoolFormMixin, forms.ModelForm):
    class Meta:
        model = BulletinIssue
        fields = ["theme", "shown_from", "shown_until"]
        widgets = {"shown_from": DateInput(), "shown_until": DateInput()}

    def clean(self):
        data = super().clean()
        first, last = data.get("shown_from"), data.get("shown_until")
        if first and last:
            if last < first:
                self.add_error("shown_until", _("The issue must come down after it goes up."))
            else:
                self.set_semester("shown_from", first)
        return data


class BulletinPanelForm(forms.ModelForm):
    class Meta:
        model = BulletinPanel
        fields = ["order", "title", "text", "image"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"image": _("A JPEG or PNG of at most 20 MB.")}
        # The image's extension and content are checked by the model field's validators
        # (counseling.uploads.validate_content): a renamed .exe does not pass as a .png.


class QuestionForm(forms.ModelForm):
    class Meta:
        model = StudentQuestion
        fields = ["question"]
        widgets = {"question": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "question": _(
                "Your name is not kept with the question. Please leave out names of other people too."
            )
        }

    def clean_question(self):
        text = self.cleaned_data["question"].strip()
        if len(text) < 5:
            raise forms.ValidationError(_("Write a little more, please."))
        return text


class AnswerForm(forms.ModelForm):
    class Meta:
        model = StudentQuestion
        fields = ["question", "answer", "answered_in"]
        widgets = {
            "question": forms.Textarea(attrs={"rows": 3}),
            "answer": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "question": _("You may shorten it or take out details before it is shown."),
            "answered_in": _("The issue of the bulletin board that shows the answer."),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answered_in"].queryset = BulletinIssue.objects.filter(school=school)
        self.fields["answer"].required = True

    def clean(self):
        data = super().clean()
        if data.get("answered_in") and not (data.get("answer") or "").strip():
            self.add_error("answer", _("Write the answer before attaching it to an issue."))
        return data


class OpenLetterForm(SchoolFormMixin, forms.ModelForm):
    notify_members = forms.BooleanField(
        label=_("Tell every committee member to read it out in class"),
        required=False,
        initial=True,
    )

    class Meta:
        model = OpenLetter
        fields = ["title", "body", "published_on"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12}), "published_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["notify_members"]

    def clean(self):
        data = super().clean()
        if data.get("published_on"):
            self.set_semester("published_on", data["published_on"])
        return data


class ThemeMonthForm(SchoolFormMixin, forms.ModelForm):
    month = forms.DateField(
        label=capfirst(_("month")), widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"]
    )

    class Meta:
        model = ThemeMonth
        fields = ["month", "theme", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def clean(self):
        data = super().clean()
        month = data.get("month")
        if month:
            first = month.replace(day=1)
            last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            self.set_semester("month", first, last)
        return data


class ThemeEventForm(forms.ModelForm):
    entries_close_on = forms.DateField(
        label=_("Entries close on"),
        required=False,
        widget=DateInput(),
        help_text=_("For a contest: the last day classes may submit entries."),
    )

    class Meta:
        model = ThemeEvent
        fields = [
            "kind",
            "title",
            "date",
            "start_time",
            "end_time",
            "venue",
            "description",
            "classes",
            "participants",
        ]
        widgets = {
            "date": DateInput(),
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "classes": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "classes": _("Leave empty for an event open to the whole school."),
            "participants": _("After the event: how many students took part."),
        }

    def __init__(self, *args, month, **kwargs):
        super().__init__(*args, **kwargs)
        self.month = month
        self.instance.month = month
        school = month.school
        self.fields["venue"].queryset = Venue.objects.filter(school=school, is_active=True)
        self.fields["venue"].label = _("Venue")
        self.fields["classes"].queryset = school_classes(school)
        contest = getattr(self.instance, "contest", None) if self.instance.pk else None
        if contest is not None:
            self.fields["entries_close_on"].initial = contest.entries_close_on
            if contest.entries.exists():
                # Entries hang on the contest: it cannot turn into a talk any more.
                self.fields["kind"].disabled = True

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if (start is None) != (end is None):
            self.add_error("end_time", _("Give both times, or neither for an all-day event."))
        elif start and end and end <= start:
            self.add_error("end_time", _("An event must end after it starts."))
        if data.get("venue") and not (start and end):
            self.add_error("start_time", _("A venue is booked for a time: give both times."))
        date = data.get("date")
        if date and not self.month.semester.contains(date):
            self.add_error("date", _("The date is outside the semester."))
        if data.get("kind") == ThemeEvent.Kind.CONTEST:
            close = data.get("entries_close_on")
            if close is None:
                self.add_error("entries_close_on", _("A contest needs a closing date."))
            elif date and close > date:
                self.add_error("entries_close_on", _("Entries must close by the event's date."))
        return data


class ContestSettingsForm(forms.ModelForm):
    judges = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Judges"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Judges see every entry by its code and title only."),
    )

    class Meta:
        model = Contest
        fields = ["entries_close_on"]
        widgets = {"entries_close_on": DateInput()}

    def __init__(self, *args, judges_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judges"].queryset = judges_queryset
        if self.instance.pk:
            self.fields["judges"].initial = list(self.instance.judges.values_list("pk", flat=True))


class CriterionForm(forms.ModelForm):
    class Meta:
        model = RubricCriterion
        fields = ["order", "name", "max_points"]
        widgets = {"order": forms.NumberInput(attrs={"style": "max-width: 6rem"})}

    def clean_max_points(self):
        points = self.cleaned_data["max_points"]
        if points < 1:
            raise forms.ValidationError(_("At least one point."))
        return points


CriterionFormSet = inlineformset_factory(
    Contest, RubricCriterion, form=CriterionForm, extra=1, can_delete=True
)


class EntryForm(forms.ModelForm):
    school_class = forms.ModelChoiceField(queryset=None, label=_("Class"))

    class Meta:
        model = ContestEntry
        fields = ["school_class", "title", "file"]
        help_texts = {
            "title": _("Judges see the title: leave the class and names out of it."),
            "file": _("JPEG, PNG, PDF, Word or PowerPoint, at most 20 MB."),
        }

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = classes
        if classes.count() == 1:
            self.fields["school_class"].initial = classes.first()


class ScoreForm(forms.Form):
    """One field per criterion, each 0 to its points."""

    def __init__(self, *args, criteria, initial_points=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.IntegerField(
                label=f"{criterion.name} (0–{criterion.max_points})",
                min_value=0,
                max_value=criterion.max_points,
                initial=(initial_points or {}).get(criterion.pk),
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )

    def points(self):
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["entry", "title", "rank"]

    def __init__(self, *args, contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.contest = contest
        self.fields["entry"].queryset = contest.entries.exclude(awards__isnull=False)
        self.fields["entry"].label = _("Entry")
        self.fields["entry"].label_from_instance = lambda e: f"{e.code} · {e.title}"
