"""Filing the weekly barometer, immediate reports, alerts, talk tasks, course suggestions,
class absences and the school's barometer settings.

Tier 3 (who is named, and why) reaches counselors only, and each page that shows it
records the read in the audit trail; no browser keeps such a page (never_cache). The
committee member sees the names it entered itself (to edit its own barometer, or to have
the talk it was asked for), never the notes read back.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from committees import barometer as services
from committees.forms_barometer import (
    AbsenceEndForm,
    AbsenceForm,
    BarometerForm,
    BarometerSettingsForm,
    FollowUpForm,
    ImmediateForm,
    StudentFormSet,
    SuggestionAnswerForm,
    TalkDoneForm,
)
from committees.models import (
    Alert,
    Barometer,
    BarometerSettings,
    ClassAbsence,
    CommitteeMember,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
    Weather,
)
from committees.models.barometer import WEATHER_COLOURS, WEATHER_ICONS
from counseling import audit
from counseling.errors import PortalError
from counseling.models import Department, Notification, School, SchoolClass, Semester, Student
from counseling.permissions import access_of
from counseling.views.helpers import paginate, pick_semester, require_perm

Action = audit.AuditEntry.Action


def _is_counselor_of(user, school_id):
    return access_of(user).counsels(school_id)


def _require_counselor(user, school_id):
    if not _is_counselor_of(user, school_id):
        raise PermissionDenied


def _roster(school_class):
    return list(
        Student.objects.filter(school_class=school_class, is_active=True).order_by("student_number")
    )


def _posted_pk(request, name):
    value = request.POST.get(name, "")
    if not value.isdigit():
        raise Http404(f"no {name}")
    return int(value)


def _url(name, **params):
    query = {k: v for k, v in params.items() if v not in (None, "")}
    return reverse(f"committees:{name}") + (f"?{urlencode(query)}" if query else "")


# --- Which class and which week -------------------------------------------------------


def _classes_to_file(request, semester):
    """The member's classes this semester, and whether the user is a counselor of the
    school (who may file for any class). Anyone else may not file."""
    mine = list(services.member_classes(request.user, semester).select_related("department"))
    counselor = _is_counselor_of(request.user, semester.school_id)
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


def _open_weeks(semester, today):
    """Teaching weeks that may be filed today: this week and the ones before it."""
    current = semester.week_of(today)
    if current is None:
        current = semester.weeks if today > semester.last_day else 0
    return [w for w in semester.teaching_weeks() if w <= current]


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


def _load(semester, school_class, week):
    return (
        Barometer.objects.filter(semester=semester, school_class=school_class, week=week)
        .select_related("filed_by")
        .prefetch_related("concerns", "suggestions")
        .first()
    )


def _summary(barometer):
    """Tier 2 of a barometer, for the page beside the form."""
    if barometer is None:
        return None
    concerns = [(c.get_kind_display(), c.count) for c in barometer.concerns.all() if c.count]
    return {
        "barometer": barometer,
        "concerns": concerns,
        "concern_total": sum(n for _label, n in concerns),
        "named": barometer.students.count(),
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
    weeks = _open_weeks(semester, timezone.localtime(now).date())
    week = _pick_week(request, weeks)
    if week is None:
        return render(
            request,
            "committees/barometer/file.html",
            {"semester": semester, "school_class": school_class, "classes": mine, "week": None},
        )
    barometer = _load(semester, school_class, week)
    roster = _roster(school_class)
    page = FilingPage(
        request, semester, school_class, week, barometer, roster, now, mine, counselor, weeks
    )
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
        barometer,
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
        self.barometer = barometer
        self.roster = roster
        self.now = now
        self.rules = BarometerSettings.for_school(semester.school)
        self.deadline = self.rules.deadline(semester, week)
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
        return _url(
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
        self.barometer = _load(self.semester, self.school_class, self.week)
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
        previous = [w for w in self.semester.teaching_weeks() if w < self.week]
        last = _load(self.semester, self.school_class, previous[-1]) if previous else None
        hint = None
        if self.week == self.weeks[-1] and previous and previous[-1] in self.weeks:
            # On Monday morning last week's barometer may still be open, or missing.
            last_deadline = self.rules.deadline(self.semester, previous[-1])
            if last is None or last.editable(self.now, last_deadline):
                hint = {
                    "week": previous[-1],
                    "missing": last is None,
                    "deadline": last_deadline,
                    "late": self.now > last_deadline,
                }
        absence = next(
            (
                a
                for a in ClassAbsence.objects.filter(school_class=self.school_class)
                if a.covers_week(self.semester, self.week)
            ),
            None,
        )
        selected = self.form["weather"].value()
        context = {
            "semester": self.semester,
            "school_class": self.school_class,
            "classes": self.classes,
            "counselor": self.counselor,
            "week": self.week,
            "weeks": self.weeks,
            "week_start": self.semester.week_start(self.week),
            "barometer": self.barometer,
            "last": _summary(last),
            "last_week": previous[-1] if previous else None,
            "hint_week": hint,
            "absence": absence,
            "deadline": self.deadline,
            "late_now": self.now > self.deadline,
            "editable": editable,
            "locked": not editable,
            "reopened": bool(
                self.barometer
                and self.barometer.reopened_until
                and self.now <= self.barometer.reopened_until
            ),
            "summary": _summary(self.barometer) if not editable else None,
            "form": self.form,
            "formset": self.formset,
            "kept": kept,
            "removed": set(request.POST.getlist("remove")) if request.method == "POST" else (),
            "base": _base(self.barometer),
            "errors": self.errors,
            "notice": self.notice,
            "action": self.url(),
            "weather_options": [
                {
                    "value": value,
                    "label": label,
                    "icon": WEATHER_ICONS[value],
                    "colour": WEATHER_COLOURS[value],
                    "checked": str(selected) == str(value),
                }
                for value, label in Weather.choices
            ],
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
    form = ImmediateForm(request.POST or None, roster=_roster(school_class))
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
    counselor = _is_counselor_of(request.user, barometer.semester.school_id)
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
    _require_counselor(request.user, barometer.semester.school_id)
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


# --- Alerts ---------------------------------------------------------------------------

ALERT_STATUS_FILTERS = ["active", "open", "following", "closed", "all"]


@login_required
@never_cache
def alert_list(request):
    access = access_of(request.user)
    if not access.counselor_school_ids:
        raise PermissionDenied
    semester = pick_semester(request)
    alerts = Alert.objects.visible_to(request.user).filter(semester=semester)
    status = request.GET.get("status", "active")
    if status not in ALERT_STATUS_FILTERS:
        status = "active"
    if status == "active":
        alerts = alerts.open()
    elif status != "all":
        alerts = alerts.filter(status=status)
    grade = request.GET.get("grade", "")
    rule = request.GET.get("rule", "")
    if rule in Alert.Rule.values:
        alerts = alerts.filter(rule=rule)
    class_id = request.GET.get("class", "")
    if class_id.isdigit():
        alerts = alerts.filter(school_class=int(class_id))
    year = request.GET.get("year", "")
    if year.isdigit():
        alerts = alerts.filter(school_class__enrolment_year=int(year))
    if request.GET.get("mine"):
        alerts = alerts.filter(assigned_to=request.user)
    # Counted before the grade filter, so the grade buttons show what each would list.
    by_grade = {
        row["grade"]: row["n"] for row in alerts.order_by().values("grade").annotate(n=Count("pk"))
    }
    if grade in Alert.Grade.values:
        alerts = alerts.filter(grade=grade)
    page = paginate(
        request,
        alerts.select_related("school_class__department", "assigned_to").order_by(
            "-created_at", "-pk"
        ),
    )
    classes = list(
        SchoolClass.objects.filter(department__school=semester.school)
        .select_related("department")
        .order_by("department__name", "-enrolment_year", "name")
    )
    return render(
        request,
        "committees/barometer/alert_list.html",
        {
            "semester": semester,
            "page": page,
            "status": status,
            "grade": grade,
            "rule": rule,
            "class_id": int(class_id) if class_id.isdigit() else None,
            "year": int(year) if year.isdigit() else None,
            "years": sorted(
                {c.enrolment_year for c in classes},
                reverse=True,
            ),
            "statuses": [
                ("active", _("Open or following")),
                ("open", Alert.Status.OPEN.label),
                ("following", Alert.Status.FOLLOWING.label),
                ("closed", Alert.Status.CLOSED.label),
                ("all", _("All")),
            ],
            "grades": Alert.Grade.choices,
            "rules": Alert.Rule.choices,
            "classes": classes,
            "by_grade": [(g, label, by_grade.get(g, 0)) for g, label in Alert.Grade.choices],
        },
    )


@login_required
@never_cache
def alert_detail(request, pk):
    alert = get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "school_class__department",
            "school_class__class_teacher",
            "semester",
            "assigned_to",
            "barometer",
        ),
        pk=pk,
    )
    # Seen here is read: the bell stops counting this alert's notifications for the reader.
    Notification.objects.visible_to(request.user).filter(
        url=reverse("committees:alert-detail", args=[alert.pk])
    ).mark_read()
    form = FollowUpForm(request.POST or None, alert=alert)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    assignee = data.get("assigned_to")
                    if assignee and assignee.pk != alert.assigned_to_id:
                        services.reassign_alert(alert, request.user, assignee, request=request)
                    new_status = data["status"] if data["status"] != alert.status else None
                    if data["text"].strip() or new_status:
                        services.follow_up(
                            alert,
                            request.user,
                            data["text"],
                            status=new_status,
                            outcome=data["outcome"],
                            request=request,
                        )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("committees:alert-detail", pk=pk)
        status = 400
    student = None
    if alert.student_pk:
        student = Student.objects.filter(pk=alert.student_pk).select_related("school_class").first()
    # Every alert page is tier 3, named or not: its follow-up log, an immediate report, a
    # talk's note. Each read is recorded.
    audit.record(request.user, Action.READ, alert, request=request)
    concern = None
    if alert.barometer_id and alert.student_ref:
        concern = StudentOfConcern.objects.filter(
            barometer=alert.barometer_id, student_ref=alert.student_ref
        ).first()
    report = None
    if alert.immediate_report_id:
        report = (
            ImmediateReport.objects.filter(pk=alert.immediate_report_id)
            .select_related("filed_by")
            .first()
        )
    related = []
    mentions = []
    if alert.student_ref:
        # Every barometer of the school that named the student, for the counselor to read
        # the weeks before this one in a hurry.
        mentions = (
            StudentOfConcern.objects.filter(
                student_ref=alert.student_ref,
                barometer__school_class__department__school=alert.school_id,
            )
            .select_related("barometer__school_class", "barometer__semester")
            .order_by("-barometer__semester__first_monday", "-barometer__week")
        )
        related = (
            Alert.objects.visible_to(request.user)
            .filter(student_ref=alert.student_ref)
            .exclude(pk=alert.pk)
            .select_related("school_class")
        )
    return render(
        request,
        "committees/barometer/alert_detail.html",
        {
            "alert": alert,
            "grade_year": alert.school_class.grade(alert.semester.first_monday),
            "student": student,
            "concern": concern,
            "report": report,
            "notes": alert.notes.select_related("author"),
            "talk_task": TalkTask.objects.filter(alert=alert)
            .select_related("member__student")
            .first(),
            "related": related,
            "mentions": mentions,
            "teacher": alert.school_class.class_teacher,
            "form": form,
        },
        status=status,
    )


# --- Talk tasks -----------------------------------------------------------------------


@login_required
@never_cache
def talk_tasks(request):
    """The member's talks with classmates it named two weeks running. The member sees the
    classmate's name (it named them) and nothing else the counselors hold."""
    if not CommitteeMember.objects.filter(student__user=request.user).exists():
        raise PermissionDenied
    # Only while the member serves its class: a member whose service ended (its role ended
    # with it) no longer sees, nor records, the talks it was asked for.
    tasks = TalkTask.objects.filter(
        member__student__user=request.user,
        member__ended_on__isnull=True,
        member__school_class__in=access_of(request.user).member_class_ids,
    )
    form = TalkDoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        task = get_object_or_404(tasks, pk=_posted_pk(request, "task"), done_at__isnull=True)
        if form.is_valid():
            try:
                services.complete_talk_task(
                    task, request.user, form.cleaned_data["note"], request=request
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Thank you. The counselor can read how it went."))
                return redirect("committees:talk-tasks")
        status = 400
    open_tasks = list(
        tasks.filter(done_at__isnull=True)
        .select_related("alert__school_class", "alert__semester")
        .order_by("alert__created_at")
    )
    names = Student.objects.in_bulk([t.alert.student_pk for t in open_tasks if t.alert.student_pk])
    for task in open_tasks:
        audit.record(request.user, Action.READ, task.alert, request=request, label=_("Talk task"))
    return render(
        request,
        "committees/barometer/talk_tasks.html",
        {
            "tasks": [(t, names.get(t.alert.student_pk)) for t in open_tasks],
            "done": tasks.filter(done_at__isnull=False).count(),
            "form": form,
            "failed_task": request.POST.get("task") if status == 400 else None,
        },
        status=status,
    )


# --- Course suggestions ---------------------------------------------------------------


@login_required
def suggestion_list(request):
    access = access_of(request.user)
    if not (
        access.whole_school_ids
        or access.liaison_department_ids
        or access.teacher_class_ids
        or access.member_class_ids
        or access.is_sysadmin
    ):
        raise PermissionDenied
    semester = pick_semester(request)
    suggestions = CourseSuggestion.objects.visible_to(request.user).filter(
        barometer__semester=semester
    )
    status = request.GET.get("status", "")
    department = request.GET.get("department", "")
    if department.isdigit():
        suggestions = suggestions.filter(department=int(department))
    counts = {
        row["status"]: row["n"]
        for row in suggestions.order_by().values("status").annotate(n=Count("pk"))
    }
    if status in CourseSuggestion.Status.values:
        suggestions = suggestions.filter(status=status)
    page = paginate(
        request,
        suggestions.select_related("barometer__school_class", "department", "answered_by").order_by(
            "-created_at", "-pk"
        ),
    )
    show_departments = bool(access.whole_school_ids or access.is_sysadmin)
    return render(
        request,
        "committees/barometer/suggestion_list.html",
        {
            "semester": semester,
            "page": page,
            "status": status,
            "department": int(department) if department.isdigit() else None,
            "departments": Department.objects.filter(school=semester.school)
            if show_departments
            else [],
            "statuses": [
                (value, label, counts.get(value, 0))
                for value, label in CourseSuggestion.Status.choices
            ],
            "total": sum(counts.values()),
            "answerable": access.liaison_department_ids,
        },
    )


@login_required
def suggestion_answer(request, pk):
    """The department liaison acknowledges a suggestion, then answers it."""
    suggestion = get_object_or_404(
        CourseSuggestion.objects.visible_to(request.user).select_related(
            "barometer__school_class", "barometer__semester", "department", "answered_by"
        ),
        pk=pk,
    )
    if suggestion.department_id not in access_of(request.user).liaison_department_ids:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "acknowledge":
        if services.acknowledge_suggestion(suggestion, request.user, request=request):
            messages.success(request, _("Acknowledged. Answer it when you can."))
        return redirect("committees:suggestion-list")
    initial = {}
    if suggestion.adopted is not None:
        initial = {"adopted": "yes" if suggestion.adopted else "no", "answer": suggestion.answer}
    form = SuggestionAnswerForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_suggestion(
                    suggestion,
                    request.user,
                    form.cleaned_data["adopted"],
                    form.cleaned_data["answer"],
                    request=request,
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Answered; the class's committee member is told."))
                return redirect("committees:suggestion-list")
        status = 400
    return render(
        request,
        "committees/barometer/suggestion_answer.html",
        {"suggestion": suggestion, "form": form},
        status=status,
    )


# --- Class absences -------------------------------------------------------------------


@login_required
@require_perm("committees.manage")
def absence_list(request):
    """Classes away (internship, exams, a trip) file no barometer for the weeks covered."""
    semester = pick_semester(request)
    school = semester.school
    _require_counselor(request.user, school.pk)
    absences = ClassAbsence.objects.filter(school_class__department__school=school)
    form = AbsenceForm(request.POST if request.POST.get("action") == "add" else None, school=school)
    status = 200
    end_errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            if form.is_valid():
                with transaction.atomic():
                    absence = form.save()
                    absence.log_action(
                        request.user,
                        Action.CREATE,
                        request=request,
                        changes=audit.form_changes(form),
                    )
                messages.success(request, _("Added."))
                return redirect(_url("absence-list", semester=request.GET.get("semester")))
            status = 400
        elif action in ("end", "delete"):
            absence = get_object_or_404(absences, pk=_posted_pk(request, "absence"))
            if action == "delete":
                if absence.starts_on <= timezone.localdate():
                    raise PermissionDenied  # only an absence not yet begun is removed
                with transaction.atomic():
                    absence.log_action(request.user, Action.DELETE, request=request)
                    absence.delete()
                messages.success(request, _("Removed."))
                return redirect(_url("absence-list", semester=request.GET.get("semester")))
            end_form = AbsenceEndForm(request.POST, absence=absence)
            if end_form.is_valid():
                with transaction.atomic():
                    old = absence.ends_on
                    absence.ends_on = end_form.cleaned_data["ends_on"]
                    absence.save(update_fields=["ends_on", "updated_at"])
                    absence.log_action(
                        request.user,
                        Action.UPDATE,
                        request=request,
                        changes={"ends_on": [str(old), str(absence.ends_on)]},
                    )
                messages.success(request, _("Ended early."))
                return redirect(_url("absence-list", semester=request.GET.get("semester")))
            end_errors[absence.pk] = end_form.errors.get("ends_on", [])
            status = 400
    today = timezone.localdate()
    rows = (
        absences.filter(ends_on__gte=semester.first_monday, starts_on__lte=semester.last_day)
        .select_related("school_class__department")
        .order_by("-starts_on", "school_class__name")
    )
    return render(
        request,
        "committees/barometer/absence_list.html",
        {
            "semester": semester,
            "rows": [
                {
                    "absence": a,
                    "current": a.starts_on <= today <= a.ends_on,
                    "future": a.starts_on > today,
                    "end_on": max(today, a.starts_on),
                    "errors": end_errors.get(a.pk, []),
                }
                for a in rows
            ],
            "form": form,
        },
        status=status,
    )


# --- The school's rules ---------------------------------------------------------------


@login_required
@require_perm("committees.manage")
def settings_edit(request):
    access = access_of(request.user)
    school = access.primary_school
    if school is None or school.pk not in access.counselor_school_ids:
        school = get_object_or_404(School, pk=min(access.counselor_school_ids))
    row = BarometerSettings.for_school(school)
    form = BarometerSettingsForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save()
                audit.record(
                    request.user,
                    Action.UPDATE,
                    row,
                    request=request,
                    changes=audit.form_changes(form),
                )
            messages.success(request, _("Saved. The new rules apply from now on."))
            return redirect("committees:barometer-settings")
        status = 400
    example = None
    semester = Semester.objects.current(school)
    if semester is not None:
        week = semester.current_week() or 1
        example = (week, row.deadline(semester, week))
    return render(
        request,
        "committees/barometer/settings.html",
        {"form": form, "school": school, "example": example},
        status=status,
    )
