"""Forms of the weekly barometer and what follows from it: filing, immediate reports,
alert follow-up, talk tasks, course suggestions, class absences and the school's rules."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from committees.barometer.models import (
    Alert,
    BarometerSettings,
    ClassAbsence,
    ConcernKind,
    Severity,
    Weather,
)
from counseling.forms import DateInput, PlainSelect, TimeInput, offer_classes
from counseling.models import WEEKDAYS, Role, SchoolClass

NOTE_MAX = 1000
MAX_STUDENT_ROWS = 30


class PlainInputMixin:
    """An <input> written here rather than through Django's widget templates (three
    templates per input): the filing page has two dozen, and their templates were most of
    its time. Same markup: the attributes the bound field adds (id, required, aria-*)
    come in `attrs`."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        shown = "" if value is None else format_html(' value="{}"', value)
        return format_html(
            '<input type="{}" name="{}"{}{}>', self.input_type, name, shown, flatatt(final)
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainNumberInput(PlainInputMixin, forms.NumberInput):
    pass


class PlainHiddenInput(PlainInputMixin, forms.HiddenInput):
    pass


class RosterChoiceField(forms.TypedChoiceField):
    """A student of the class, chosen from a roster read once for the whole page: a
    ModelChoiceField would query the roster again for every row of the formset."""

    def __init__(self, *, roster=(), **kwargs):
        self.by_pk = {s.pk: s for s in roster}
        choices = [("", _("Pick a classmate"))] + [(s.pk, str(s)) for s in roster]
        super().__init__(choices=choices, coerce=self._student, widget=PlainSelect, **kwargs)
        self.widget.attrs.update({"class": "form-select", "aria-label": _("Student")})

    def _student(self, value):
        try:
            return self.by_pk[int(value)]
        except KeyError:
            raise ValueError(value) from None  # not on the roster: an invalid choice


def roster_field(roster, **kwargs):
    return RosterChoiceField(roster=roster, label=_("Student"), **kwargs)


class BarometerForm(forms.Form):
    """This week's barometer: the weather, a count per kind of concern, course
    suggestions and a note. Students of concern come in a formset beside it."""

    weather = forms.TypedChoiceField(
        label=_("The class's weather this week"),
        choices=Weather.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Pick the class's weather.")},
    )
    suggestions = forms.CharField(
        label=_("Suggestions for the department's courses"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line. They go to the department's liaison, who answers them."),
    )
    note = forms.CharField(
        label=_("Anything else"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Class-level only: write about students in the rows above, not here."),
    )

    def __init__(self, *args, class_size, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in ConcernKind.choices:
            self.fields[f"c_{kind}"] = forms.IntegerField(
                label=label,
                required=False,
                initial=0,
                min_value=0,
                max_value=max(class_size, 0),
                widget=PlainNumberInput(
                    attrs={"inputmode": "numeric", "class": "form-control text-center"}
                ),
            )

    def concern_fields(self):
        return [self[f"c_{kind}"] for kind in ConcernKind.values]

    def concerns(self):
        return {kind: self.cleaned_data.get(f"c_{kind}") or 0 for kind in ConcernKind.values}

    def suggestion_lines(self):
        return [line.strip() for line in self.cleaned_data["suggestions"].splitlines()]


class StudentRowForm(forms.Form):
    """One student of concern. An untouched row is skipped; a touched one must be whole."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Kind of concern")), *ConcernKind.choices],
        widget=PlainSelect(attrs={"class": "form-select", "aria-label": _("Kind of concern")}),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.WATCH,
        widget=PlainSelect(attrs={"class": "form-select", "aria-label": _("Severity")}),
    )
    note = forms.CharField(
        label=_("What you noticed"),
        required=False,
        max_length=NOTE_MAX,
        widget=PlainTextInput(
            attrs={
                "class": "form-control",
                "placeholder": _("What you noticed (only counselors read it)"),
                "aria-label": _("What you noticed"),
            }
        ),
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"student": roster_field(roster), **self.fields}


class StudentRows(forms.BaseFormSet):
    """The management form's four hidden inputs written plainly too (the page lists them
    one by one: a whole form's template for four inputs)."""

    @cached_property
    def management_form(self):
        form = super().management_form
        for field in form.fields.values():
            field.widget = PlainHiddenInput()
        return form


StudentFormSet = forms.formset_factory(
    StudentRowForm,
    formset=StudentRows,
    extra=3,
    max_num=MAX_STUDENT_ROWS,
    validate_max=True,
)


class ImmediateForm(forms.Form):
    note = forms.CharField(
        label=_("What happened"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you saw or heard, when, and where the student is now."),
    )

    def __init__(self, *args, roster, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"student": roster_field(roster), **self.fields}


def school_counselors(school):
    return (
        get_user_model()
        .objects.filter(
            pk__in=Role.objects.current()
            .filter(kind=Role.Kind.COUNSELOR, school=school)
            .values("user")
        )
        .order_by("full_name", "username")
    )


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Follow-up note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Alert.Status.choices)
    outcome = forms.CharField(
        label=_("Outcome"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed to close the alert: how it ended."),
    )
    assigned_to = forms.ModelChoiceField(
        label=_("Counselor"), queryset=get_user_model().objects.none()
    )

    def __init__(self, *args, alert, **kwargs):
        self.alert = alert
        kwargs.setdefault(
            "initial",
            {"status": alert.status, "outcome": alert.outcome, "assigned_to": alert.assigned_to_id},
        )
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = school_counselors(alert.school_id)
        if alert.assigned_to_id is None:
            self.fields["assigned_to"].required = False

    def clean(self):
        data = super().clean()
        status = data.get("status")
        if status == Alert.Status.CLOSED and not (data.get("outcome") or "").strip():
            self.add_error("outcome", _("Say how the alert ended before closing it."))
        assignee = data.get("assigned_to")
        changed = (
            (data.get("text") or "").strip()
            or (status and status != self.alert.status)
            or (assignee and assignee.pk != self.alert.assigned_to_id)
        )
        if not self.errors and not changed:
            raise ValidationError(_("Write a note, or change the status or the counselor."))
        return data


class TalkDoneForm(forms.Form):
    note = forms.CharField(
        label=_("How it went"),
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A few words for the counselor. Only the counselors read it."),
    )


class SuggestionAnswerForm(forms.Form):
    adopted = forms.TypedChoiceField(
        label=_("Adopted?"),
        choices=[("yes", _("Adopted")), ("no", _("Not adopted"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    # Not "Reason": an adopted suggestion gets an answer too (how it is taken up).
    answer = forms.CharField(
        label=_("Answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "How the department takes it up, or why not. "
            "The class's committee member reads this answer."
        ),
    )


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = ClassAbsence
        fields = ["school_class", "kind", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        offer_classes(
            self.fields["school_class"],
            SchoolClass.objects.active()
            .filter(department__school=school)
            .order_by("department__name", "-enrolment_year", "name"),
        )


class AbsenceEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Last day away"), widget=DateInput())

    def __init__(self, *args, absence, **kwargs):
        self.absence = absence
        super().__init__(*args, **kwargs)

    def clean_ends_on(self):
        day = self.cleaned_data["ends_on"]
        if day < self.absence.starts_on:
            raise ValidationError(_("The end cannot come before the start."))
        if day > self.absence.ends_on:
            raise ValidationError(_("Ending early means a date before the current end."))
        return day


class BarometerSettingsForm(forms.ModelForm):
    """The school's barometer rules. clean() says in words what the database's check
    constraints would otherwise refuse with a generic message."""

    deadline_weekday = forms.TypedChoiceField(
        label=_("Deadline weekday"),
        choices=WEEKDAYS,
        coerce=int,
        help_text=_("In the week after the one reported."),
    )

    class Meta:
        model = BarometerSettings
        fields = [
            "deadline_weekday",
            "deadline_time",
            "reopen_hours",
            "drop_steps",
            "baseline_weeks",
            "named_member_weeks",
            "named_task_weeks",
            "missing_weeks",
            "fidelity_weeks",
        ]
        widgets = {"deadline_time": TimeInput()}

    def clean(self):
        data = super().clean()
        weekday = data.get("deadline_weekday")
        if weekday is not None and not 0 <= weekday <= 6:
            self.add_error("deadline_weekday", _("Pick a day of the week."))
        for name in ("drop_steps", "baseline_weeks", "missing_weeks", "fidelity_weeks"):
            value = data.get(name)
            if value is not None and value < 1:
                self.add_error(name, _("At least 1."))
        member_weeks = data.get("named_member_weeks")
        task_weeks = data.get("named_task_weeks")
        if member_weeks is not None and member_weeks < 2:
            self.add_error("named_member_weeks", _("At least 2: one week alone is not a streak."))
        if member_weeks is not None and task_weeks is not None and task_weeks <= member_weeks:
            self.add_error(
                "named_task_weeks",
                _("The counselor task comes after the member's talk: more weeks than that."),
            )
        return data


class AlertFilterForm(forms.Form):
    """The alert list's filters, read from the query string. A value that is not one of
    the choices is ignored, as if it were absent, so that an old link still lists."""

    status = forms.ChoiceField(
        required=False,
        choices=[
            ("active", _("Open or following")),
            ("open", Alert.Status.OPEN.label),
            ("following", Alert.Status.FOLLOWING.label),
            ("closed", Alert.Status.CLOSED.label),
            ("all", _("All")),
        ],
    )
    grade = forms.ChoiceField(required=False, choices=Alert.Grade.choices)
    rule = forms.ChoiceField(required=False, choices=Alert.Rule.choices)
    year = forms.IntegerField(required=False, min_value=0, max_value=9999)
    mine = forms.BooleanField(required=False)

    def __init__(self, data, *, user):
        super().__init__(data)
        # "class" is a keyword in Python, not in a query string.
        self.fields["class"] = forms.IntegerField(required=False, min_value=0, max_value=2**31 - 1)
        self.user = user
        self.is_valid()  # a field whose value is refused is left out of cleaned_data

    def _get(self, name):
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    @property
    def status_value(self):
        return self._get("status") or "active"

    def filter(self, alerts):
        """Every filter but the grade (the grade buttons count what each would list)."""
        status = self.status_value
        if status == "active":
            alerts = alerts.open()
        elif status != "all":
            alerts = alerts.filter(status=status)
        if self._get("rule"):
            alerts = alerts.filter(rule=self._get("rule"))
        if self._get("class") is not None:
            alerts = alerts.filter(school_class=self._get("class"))
        if self._get("year") is not None:
            alerts = alerts.filter(school_class__enrolment_year=self._get("year"))
        if self._get("mine"):
            alerts = alerts.filter(assigned_to=self.user)
        return alerts

    def filter_grade(self, alerts):
        grade = self._get("grade")
        return alerts.filter(grade=grade) if grade else alerts

    def context(self):
        """What the page's filter bar shows as chosen."""
        return {
            "status": self.status_value,
            "grade": self._get("grade") or "",
            "rule": self._get("rule") or "",
            "class_id": self._get("class"),
            "year": self._get("year"),
            "statuses": self.fields["status"].choices,
        }
