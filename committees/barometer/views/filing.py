"""Filing the weekly barometer and immediate reports; one barometer's page, and reopening it.

Tier 3 (who is named, and why) reaches counselors only, and each page that shows it
records the read in the audit trail; no browser keeps such a page (never_cache). The
committee member sees the names it entered itself (to edit its own barometer), never the
notes read back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from committees.barometer import services
from committees.barometer.forms import (
    BarometerForm,
    ImmediateForm,
    StudentFormSet,
)
from committees.barometer.models import (
    WEATHER_COLOURS,
    WEATHER_ICONS,
    Barometer,
    BarometerSettings,
    ClassAbsence,
    ConcernKind,
    CourseSuggestion,
    Weather,
)
from committees.barometer.views.common import (
    counsels,
    page_url,
    require_counselor,
    roster_of,
)
from counseling import audit
from counseling.errors import PortalError
from counseling.models import SchoolClass, Student
from counseling.views.helpers import pick_semester

Action = audit.AuditEntry.Action


# --- Which class and which week -------------------------------------------------------


def _classes_to_file(request, semester):
    """The member's classes this semester, and whether the user is a counselor of the
    school (who may file for any class). Anyone else may not file."""
    mine = list(services.member_classes(request.user, semester).select_related("department"))
    counselor = counsels(request.user, semester.school_id)
    if not mine and not counselor:
        raise PermissionDenied
    return mine, counselor


def _pick_class(request, semester, mine, counselor):
    """?class= names one of the member's classes, or for a counselor any class of the
    school; without it a member's (first) class. None: a counselor must pick one."""
    wanted = request.GET.get("class", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404("bad class")
        for cls in mine:
            if cls.pk == int(wanted):
                return cls
        if not counselor:
            raise PermissionDenied
        return get_object_or_404(
            SchoolClass.objects.visible_to(request.user)
            .active()
            .filter(department__school=semester.school)
            .select_related("department"),
            pk=wanted,
        )
    return mine[0] if mine else None


def _pick_week(request, weeks):
    wanted = request.GET.get("week", "")
    if wanted:
        if not wanted.isdigit() or int(wanted) not in weeks:
            raise Http404("no such week to file")
        return int(wanted)
    return weeks[-1] if weeks else None


def _base(barometer):
    """What the page was drawn from: a submit made against anything else is a conflict."""
    if barometer is None:
        return "new"
    return f"{barometer.pk}:{barometer.updated_at.timestamp():.6f}"


def _load(semester, school_class, week, last_week=None):
    """The week's barometer and last week's (None where not filed): one query for both,
    with how many students each names, and one for their counts of concern; the week's
    own suggestions beside (the form shows them, the summary of last week does not)."""
    weeks = [w for w in (week, last_week) if w is not None]
    found = {
        b.week: b
        for b in Barometer.objects.filter(
            semester=semester, school_class=school_class, week__in=weeks
        )
        .select_related("filed_by")
        .annotate(named_count=Count("students"))
        .prefetch_related("concerns")
    }
    barometer = found.get(week)
    if barometer is not None:
        prefetch_related_objects([barometer], "suggestions")
    return barometer, (found.get(last_week) if last_week is not None else None)


def _summary(barometer):
    """Tier 2 of a barometer, for the page beside the form."""
    if barometer is None:
        return None
    concerns = [(c.get_kind_display(), c.count) for c in barometer.concerns.all() if c.count]
    named = getattr(barometer, "named_count", None)
    return {
        "barometer": barometer,
        "concerns": concerns,
        "concern_total": sum(n for _label, n in concerns),
        "named": barometer.students.count() if named is None else named,
    }


# --- Filing ---------------------------------------------------------------------------


def _class_picker(request, semester, immediate=False):
    """A counselor (who may file for any class) first picks the class."""
    classes = (
        SchoolClass.objects.visible_to(request.user)
        .active()
        .filter(department__school=semester.school)
        .select_related("department")
    )
    return render(
        request,
        "committees/barometer/pick_class.html",
        {"semester": semester, "classes": classes, "immediate": immediate},
    )


@login_required
@never_cache
def file(request):
    """The committee member's phone page: this week's barometer of its class."""
    semester = pick_semester(request)
    mine, counselor = _classes_to_file(request, semester)
    school_class = _pick_class(request, semester, mine, counselor)
    if school_class is None:
        return _class_picker(request, semester)
    now = timezone.now()
    weeks = semester.teaching_weeks_until(timezone.localtime(now).date())
    week = _pick_week(request, weeks)
    if week is None:
        return render(
            request,
            "committees/barometer/file.html",
            {"semester": semester, "school_class": school_class, "classes": mine, "week": None},
        )
    roster = roster_of(school_class)
    page = FilingPage(request, semester, school_class, week, roster, now, mine, counselor, weeks)
    if request.method != "POST":
        return page.render()
    return page.submit()


class FilingPage:
    """The state of one filing page: what it was drawn from, the forms, and the render."""

    def __init__(
        self,
        request,
        semester,
        school_class,
        week,
        roster,
        now,
        classes,
        counselor,
        weeks,
    ):
        self.request = request
        self.classes = classes  # the member's classes, for the picker
        self.counselor = counselor
        self.weeks = weeks  # the weeks that may be filed now
        self.semester = semester
        self.school_class = school_class
        self.week = week
        self.last_week = self.previous_week()
        # A submit that succeeds redirects: last week's barometer is read for a page only.
        self._last_loaded = request.method != "POST"
        self.barometer, self._last = _load(
            semester, school_class, week, self.last_week if self._last_loaded else None
        )
        self.roster = roster
        self.now = now
        self.config = BarometerSettings.for_school(semester.school_id)
        self.deadline = self.config.deadline(semester, week)
        self.form = None
        self.formset = None
        self.errors = []
        self.notice = None

    # The students the barometer already names, shown back to whoever may edit it.
    def kept(self):
        if self.barometer is None:
            return []
        rows = list(self.barometer.students.all())
        by_pk = {s.pk: s for s in self.roster}
        missing = [r.student_pk for r in rows if r.student_pk not in by_pk]
        if missing:
            by_pk.update(Student.objects.in_bulk(missing))
        return [(row, by_pk.get(row.student_pk)) for row in rows]

    def initial(self):
        b = self.barometer
        if b is None:
            return {}
        data = {
            "weather": b.weather,
            "note": b.note,
            "suggestions": "\n".join(
                s.text
                for s in sorted(b.suggestions.all(), key=lambda s: s.pk)
                if s.status == CourseSuggestion.Status.OPEN
            ),
        }
        for concern in b.concerns.all():
            data[f"c_{concern.kind}"] = concern.count
        return data

    def editable(self):
        return self.barometer is None or self.barometer.editable(self.now, self.deadline)

    def url(self):
        return page_url(
            "barometer-file",
            semester=self.request.GET.get("semester"),
            week=self.week,
            **{"class": self.school_class.pk},
        )

    def _forms(self, bound):
        data = self.request.POST if bound else None
        size = len(self.roster)
        self.form = BarometerForm(data, class_size=size, initial=self.initial())
        self.formset = StudentFormSet(data, prefix="s", form_kwargs={"roster": self.roster})

    def submit(self):
        request = self.request
        if request.POST.get("base") != _base(self.barometer):
            return self.conflict(
                _(
                    "A classmate filed this week's barometer a moment ago. It is shown now: check it and add to it."
                )
                if request.POST.get("base") == "new"
                else _(
                    "This barometer was changed a moment ago. It is shown now: check it and add to it."
                )
            )
        kept = self.kept()
        if request.POST.get("nothing_to_report"):
            if kept:
                self._forms(bound=False)
                self.errors.append(
                    _(
                        "This barometer names students of concern: remove them below before saying there is nothing to report."
                    )
                )
                return self.render(status=400)
            filing = services.Filing(weather=Weather.SUNNY, nothing_to_report=True)
        else:
            self._forms(bound=True)
            if not (self.form.is_valid() and self.formset.is_valid()):
                return self.render(status=400)
            removed = set(request.POST.getlist("remove"))
            students = [
                (student, row.kind, row.severity, row.note)
                for row, student in kept
                if str(row.pk) not in removed and student is not None
            ]
            students += [
                (f.cleaned_data["student"], f.cleaned_data["kind"], f.cleaned_data["severity"])
                + (f.cleaned_data["note"],)
                for f in self.formset
                if f.cleaned_data
            ]
            filing = services.Filing(
                weather=self.form.cleaned_data["weather"],
                note=self.form.cleaned_data["note"],
                concerns=self.form.concerns(),
                students=students,
                suggestions=self.form.suggestion_lines(),
            )
        try:
            barometer, created = services.file_barometer(
                request.user,
                self.school_class,
                self.semester,
                self.week,
                filing,
                now=self.now,
                request=request,
                config=self.config,
            )
        except PortalError as error:
            if error.code == "already_filed":
                return self.conflict(error.message)
            if self.form is None:
                self._forms(bound=False)
            self.errors.append(error.message)
            return self.render(status=400)
        if barometer.late:
            messages.warning(request, _("Saved, after the deadline: it is marked late."))
        elif created:
            messages.success(request, _("Saved. Thank you!"))
        else:
            messages.success(request, _("Changes saved."))
        return redirect(self.url())

    def conflict(self, message):
        """Someone else filed or changed it meanwhile: show theirs, keep what this person
        was adding (new students, suggestions and note) to send again."""
        self.barometer, _last = _load(self.semester, self.school_class, self.week)
        self.notice = message
        post = self.request.POST
        initial = self.initial()
        lines = [t for t in initial.get("suggestions", "").splitlines() if t]
        for line in post.get("suggestions", "").splitlines():
            if line.strip() and line.strip() not in lines:
                lines.append(line.strip())
        initial["suggestions"] = "\n".join(lines)
        note = post.get("note", "").strip()
        if note and note not in initial.get("note", ""):
            initial["note"] = "\n".join(t for t in (initial.get("note", ""), note) if t)
        self.form = BarometerForm(class_size=len(self.roster), initial=initial)
        bound = "s-TOTAL_FORMS" in post and not post.get("nothing_to_report")
        self.formset = StudentFormSet(
            post if bound else None, prefix="s", form_kwargs={"roster": self.roster}
        )
        if bound:
            self.formset.is_valid()  # the rows are shown as sent, their errors too
        return self.render(status=400)

    def last(self):
        if not self._last_loaded:
            self._last_loaded = True
            if self.last_week is not None:
                self._last = _load(self.semester, self.school_class, self.last_week)[0]
        return self._last

    def previous_week(self):
        previous = [w for w in self.semester.teaching_weeks() if w < self.week]
        return previous[-1] if previous else None

    def hint(self, last_week, last):
        """On Monday morning last week's barometer may still be open, or missing: said on
        this week's page."""
        if last_week is None or self.week != self.weeks[-1] or last_week not in self.weeks:
            return None
        deadline = self.config.deadline(self.semester, last_week)
        if last is not None and not last.editable(self.now, deadline):
            return None
        return {
            "week": last_week,
            "missing": last is None,
            "deadline": deadline,
            "late": self.now > deadline,
        }

    def absence(self):
        absences = ClassAbsence.objects.filter(school_class=self.school_class)
        return next((a for a in absences if a.covers_week(self.semester, self.week)), None)

    def weather_options(self):
        selected = str(self.form["weather"].value())
        return [
            {
                "value": value,
                "label": label,
                "icon": WEATHER_ICONS[value],
                "colour": WEATHER_COLOURS[value],
                "checked": selected == str(value),
            }
            for value, label in Weather.choices
        ]

    def render(self, status=200):
        request = self.request
        if self.form is None:
            self._forms(bound=False)
        editable = self.editable()
        kept = self.kept() if editable else []
        if kept:
            # The names this barometer holds are shown back to the person editing it.
            audit.record(
                request.user,
                Action.READ,
                self.barometer,
                request=request,
                changes={"students_of_concern": len(kept)},
            )
        last_week, last = self.last_week, self.last()
        barometer = self.barometer
        context = {
            "semester": self.semester,
            "school_class": self.school_class,
            "classes": self.classes,
            "counselor": self.counselor,
            "week": self.week,
            "weeks": self.weeks,
            "week_start": self.semester.week_start(self.week),
            "barometer": barometer,
            "last": _summary(last),
            "last_week": last_week,
            "hint": self.hint(last_week, last),
            "absence": self.absence(),
            "deadline": self.deadline,
            "late_now": self.now > self.deadline,
            "editable": editable,
            "locked": not editable,
            "reopened": bool(
                barometer and barometer.reopened_until and self.now <= barometer.reopened_until
            ),
            "summary": _summary(barometer) if not editable else None,
            "form": self.form,
            "formset": self.formset,
            "kept": kept,
            "removed": set(request.POST.getlist("remove")) if request.method == "POST" else (),
            "base": _base(barometer),
            "errors": self.errors,
            "notice": self.notice,
            "action": self.url(),
            "weather_options": self.weather_options(),
            "can_one_tap": not kept,
        }
        return render(request, "committees/barometer/file.html", context, status=status)


@login_required
@never_cache
def immediate(request):
    """即时报告: one student in danger, at any time; the counselors are told at once."""
    semester = pick_semester(request)
    mine, counselor = _classes_to_file(request, semester)
    school_class = _pick_class(request, semester, mine, counselor)
    if school_class is None:
        return _class_picker(request, semester, immediate=True)
    form = ImmediateForm(request.POST or None, roster=roster_of(school_class))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.immediate_report(
                    request.user,
                    school_class,
                    semester,
                    form.cleaned_data["student"],
                    form.cleaned_data["note"],
                    request=request,
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                return render(
                    request,
                    "committees/barometer/immediate_done.html",
                    {"school_class": school_class, "semester": semester},
                )
        status = 400
    return render(
        request,
        "committees/barometer/immediate.html",
        {"form": form, "school_class": school_class, "classes": mine, "semester": semester},
        status=status,
    )


# --- One barometer --------------------------------------------------------------------


@login_required
@never_cache
def detail(request, pk):
    barometer = get_object_or_404(
        Barometer.objects.visible_to(request.user).select_related(
            "semester__school", "school_class__department", "filed_by"
        ),
        pk=pk,
    )
    counselor = counsels(request.user, barometer.semester.school_id)
    counts = {c.kind: c.count for c in barometer.concerns.all()}
    students = []
    named = barometer.students.count()
    if counselor and named:
        rows = list(barometer.students.all())
        names = Student.objects.in_bulk([r.student_pk for r in rows])
        students = [(row, names.get(row.student_pk)) for row in rows]
        audit.record(
            request.user,
            Action.READ,
            barometer,
            request=request,
            changes={"students_of_concern": len(rows)},
        )
    now = timezone.now()
    deadline = BarometerSettings.for_school(barometer.semester.school).deadline(
        barometer.semester, barometer.week
    )
    editable = barometer.editable(now, deadline)
    return render(
        request,
        "committees/barometer/detail.html",
        {
            "barometer": barometer,
            "concerns": [(label, counts.get(kind, 0)) for kind, label in ConcernKind.choices],
            "concern_total": sum(counts.values()),
            "students": students,
            "named": named,
            "counselor": counselor,
            "suggestions": barometer.suggestions.select_related("answered_by"),
            "alerts": barometer.alerts.all() if counselor else [],
            "deadline": deadline,
            "editable": editable,
            "can_reopen": counselor and not editable,
            "can_edit": editable
            and (
                counselor
                or barometer.school_class_id
                in {
                    c.pk
                    for c in services.member_classes(request.user, barometer.semester).only("pk")
                }
            ),
        },
    )


@login_required
@require_POST
def reopen(request, pk):
    barometer = get_object_or_404(
        Barometer.objects.visible_to(request.user).select_related("semester__school"), pk=pk
    )
    require_counselor(request.user, barometer.semester.school_id)
    services.reopen(barometer, request.user, request=request)
    messages.success(
        request,
        _("Reopened until %(when)s.")
        % {
            "when": formats.date_format(
                timezone.localtime(barometer.reopened_until), "DATETIME_FORMAT"
            )
        },
    )
    return redirect("committees:barometer-detail", pk=pk)
