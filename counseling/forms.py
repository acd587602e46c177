from html import escape

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Model, Q
from django.forms.utils import flatatt
from django.urls import reverse_lazy
from django.utils.choices import normalize_choices
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from counseling.models import (
    Department,
    Role,
    School,
    SchoolClass,
    Semester,
    SemesterBreak,
    Student,
)
from counseling.permissions import GUARDED_KINDS, role_refusal
from counseling.roster import FORMATS
from counseling.services import DUPLICATE_MESSAGE, duplicate_of


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PlainSelect(forms.Select):
    """A <select> written here rather than through Django's template per option, which at
    600 choices (a large school's classes or teachers) costs a third of a second. Choices
    in Django's shape: (value, label), or (group, [(value, label), ...]) for an optgroup;
    give it rows (`rows_as_choices`), not model instances, when there are hundreds."""

    # A list is taken as it is: rows_as_choices gives Django's shape already, and Django's
    # normalize_choices walked its 600 tuples again on every assignment and every copy of
    # the form's fields (a tenth of a large school's lecture form).
    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        self._choices = value if isinstance(value, list) else normalize_choices(value)

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))

        # The stdlib's escape, once per option: format_html's was half the remaining cost.
        def options(choices):
            return "".join(
                f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>'
                f"{escape(str(label))}</option>"
                for v, label in choices
            )

        body = mark_safe(
            "".join(
                f'<optgroup label="{escape(str(v))}">{options(label)}</optgroup>'
                if isinstance(label, (list, tuple))
                else options([(v, label)])
                for v, label in self.choices
            )
        )
        final = self.build_attrs(self.attrs, attrs)
        multiple = mark_safe(" multiple") if self.allow_multiple_selected else ""
        return format_html(
            '<select name="{}"{}{}>{}</select>', name, multiple, flatatt(final), body
        )


class PlainSelectMultiple(PlainSelect):
    allow_multiple_selected = True

    value_from_datadict = forms.SelectMultiple.value_from_datadict
    value_omitted_from_data = forms.SelectMultiple.value_omitted_from_data


def rows_as_choices(rows, *, empty=None):
    """Choices from (group, value, label) rows in group order, or (value, label) rows;
    `empty` is a first choice of no value. The field's queryset still validates the POST."""
    choices = [("", empty)] if empty is not None else []
    groups = {}
    for row in rows:
        if len(row) == 2:
            choices.append(row)
        else:
            group, value, label = row
            if group not in groups:
                groups[group] = []
                choices.append((group, groups[group]))
            groups[group].append((value, label))
    return choices


def class_label(cls):
    return f"{cls.department.name} · {cls.name}"


def offer_rows(field, queryset, rows):
    """Offer `queryset` in a model choice field, listed from `rows` ((value, label) or
    (group, value, label), read with values_list) instead of model instances: at 600
    choices, most of a form's time. The queryset still checks the POST."""
    multiple = isinstance(field, forms.ModelMultipleChoiceField)
    field.queryset = queryset
    field.widget = (PlainSelectMultiple if multiple else PlainSelect)(attrs=field.widget.attrs)
    field.widget.is_required = field.required
    field.widget.choices = rows_as_choices(rows, empty=None if multiple else field.empty_label)


def offer_classes(field, classes):
    """Offer `classes` (a SchoolClass queryset) in a class field, each under its department."""
    field.label_from_instance = class_label
    rows = classes.values_list("department__name", "pk", "name")
    offer_rows(field, classes, ((d, pk, f"{d} · {n}") for d, pk, n in rows))


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ScopedFormMixin:
    """A form that receives the acting user and its school, and scopes every choice to them."""

    def __init__(self, *args, user, school, **kwargs):
        self.user = user
        self.school = school
        super().__init__(*args, **kwargs)


# An account not tied to any school yet: no role, no class taught, no student record. (A
# class teacher has no Role row, so "no role" alone would take in every other school's.)
UNATTACHED = Q(roles__isnull=True, taught_classes__isnull=True, student__isnull=True)


def staff_users(school):
    """People of the school who may hold a staff role: anyone with a role there, or none yet."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(roles__school=school) | Q(taught_classes__department__school=school) | UNATTACHED)
        .exclude(student__isnull=False)
        .distinct()
        .order_by("full_name", "username")
    )


def school_users(school):
    """Everyone of the school (staff, class teachers and students), or tied to no school yet:
    never the people of another school."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(roles__school=school)
            | Q(taught_classes__department__school=school)
            | Q(student__school=school)
            | UNATTACHED
        )
        .distinct()
        .order_by("full_name", "username")
    )


class DepartmentForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "code"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Department.objects.filter(school=self.school, name=name).exclude(
            pk=self.instance.pk
        )
        if clash.exists():
            raise forms.ValidationError(_("The school already has a department of this name."))
        return name

    def save(self, commit=True):
        self.instance.school = self.school
        return super().save(commit)


class SchoolClassForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = ["department", "name", "enrolment_year", "class_teacher", "size"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(
            school=self.school, is_active=True
        ) | Department.objects.filter(pk=self.instance.department_id or 0)
        self.fields["class_teacher"].queryset = staff_users(self.school)
        self.fields["class_teacher"].required = False

    def clean(self):
        data = super().clean()
        department, name = data.get("department"), data.get("name")
        if department and name:
            clash = SchoolClass.objects.filter(department=department, name=name.strip())
            if clash.exclude(pk=self.instance.pk).exists():
                self.add_error("name", _("The department already has a class of this name."))
        return data


class StudentForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Student
        fields = ["student_number", "name", "gender", "school_class", "out_of_town", "is_active"]
        labels = {"name": _("Name")}  # a person's name: 姓名, not the 名称 of a thing

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(
            department__school=self.school
        ).select_related("department")

    def clean_student_number(self):
        number = self.cleaned_data["student_number"].strip()
        clash = Student.objects.filter(school=self.school, student_number=number)
        if clash.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another student has this number."))
        return number

    def save(self, commit=True):
        self.instance.school = self.school
        return super().save(commit)


class SemesterForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Semester
        fields = ["name", "first_monday", "weeks"]
        widgets = {"first_monday": DateInput()}

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if (
            Semester.objects.filter(school=self.school, name=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("The school already has a semester of this name."))
        return name

    def _post_clean(self):
        self.instance.school = self.school
        super()._post_clean()


class SemesterBreakForm(forms.ModelForm):
    class Meta:
        model = SemesterBreak
        fields = ["name", "kind", "first_week", "last_week"]


SemesterBreakFormSet = forms.inlineformset_factory(
    Semester, SemesterBreak, form=SemesterBreakForm, extra=2, can_delete=True
)


class SuggestedField(forms.CharField):
    """Text that names someone, with suggestions from the search at `search_url` as one
    types (static/js/suggest.js; without it, typing the name still works)."""

    search_url = None  # a URL name, answered with {"results": [{"value", "label"}]}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "off", "data-suggest": reverse_lazy(self.search_url)}
            ),
        )
        super().__init__(**kwargs)


class PersonField(SuggestedField):
    """One of `queryset`'s people by user name (or a full name no one else has), typed,
    with suggestions. A 600-class school has some 1,200 people: as a <select> they were
    most of the role form's 100 KB and of its time."""

    search_url = "counseling:person-search"

    def __init__(self, queryset, **kwargs):
        # `queryset` by that name: audit.form_changes names the old person through it.
        self.queryset = queryset
        self._names = {}
        kwargs.setdefault("max_length", 150)
        kwargs.setdefault(
            "help_text", _("The user name, or the full name; suggestions appear as you type.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        """The initial person (a pk, from the instance) written as their user name."""
        if isinstance(value, Model):
            value = value.pk
        if isinstance(value, int):
            if value not in self._names:
                self._names[value] = (
                    self.queryset.model._default_manager.filter(pk=value)
                    .values_list("username", flat=True)
                    .first()
                    or ""
                )
            return self._names[value]
        return value

    def has_changed(self, initial, data):
        return (self.prepare_value(initial) or "") != (data or "").strip()

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        found = list(self.queryset.filter(username=text)[:2]) or list(
            self.queryset.filter(full_name=text)[:2]
        )
        if len(found) == 1:
            return found[0]
        if found:
            raise forms.ValidationError(
                _("Several people of the school have this name: type the user name."),
                code="ambiguous",
            )
        raise forms.ValidationError(
            _("No one of the school has this user name or name."), code="invalid_choice"
        )


class RoleForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = Role
        fields = ["user", "kind", "department", "school_class", "is_head", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Listed from rows, not through a template per option: a school's people and
        # classes were most of the page's time.
        model_field = self.fields["user"]
        self.fields["user"] = PersonField(
            school_users(self.school),
            label=model_field.label,
            required=model_field.required,
            disabled=model_field.disabled,
        )
        departments = Department.objects.filter(school=self.school)
        offer_rows(self.fields["department"], departments, departments.values_list("pk", "name"))
        offer_classes(
            self.fields["school_class"],
            SchoolClass.objects.filter(department__school=self.school).order_by(
                "department__name", "-enrolment_year", "name"
            ),
        )
        if not self.user.has_perm("counseling.grant_counselor_role"):
            # Not offered is a courtesy; the rule itself is role_refusal, in _post_clean.
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] not in GUARDED_KINDS
            ]
            self.fields["is_head"].disabled = True
        # The role as it was, before this form changes the instance in place.
        self.original = (
            Role.objects.select_related("user").get(pk=self.instance.pk)
            if self.instance.pk
            else None
        )

    def _post_clean(self):
        self.instance.school = self.school
        super()._post_clean()
        if self.errors:
            return
        # The school is set here, after the fields: the unique constraints that involve it
        # are therefore checked by hand (Django skips constraints on excluded fields).
        if duplicate_of(self.instance):
            self.add_error(None, DUPLICATE_MESSAGE)
            return
        refusal = role_refusal(self.user, self.instance, self.original)
        if refusal:
            self.add_error(None, refusal)


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_(
            "An .xlsx, .xls, .ods or .csv file; the first sheet is read, its header may sit "
            "below a title row."
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(FORMATS):
            raise forms.ValidationError(_("Please upload an .xlsx, .xls, .ods or .csv file."))
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload


class RosterSettingsForm(forms.ModelForm):
    """The school's own settings that the roster import reads."""

    class Meta:
        model = School
        fields = ["home_region", "student_number_pattern"]
