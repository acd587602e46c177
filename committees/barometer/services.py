"""The barometer's services: what each class is expected to file, filing and locking, the
alert rules, follow-up and reminders. Views and tasks call these; the models stay plain."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.barometer.models import (
    Alert,
    AlertNote,
    Barometer,
    BarometerConcern,
    BarometerSettings,
    ClassAbsence,
    ConcernKind,
    CourseSuggestion,
    ImmediateReport,
    ReminderLog,
    Severity,
    StudentOfConcern,
    TalkTask,
    Weather,
)
from committees.network.models import CommitteeMember
from counseling import audit
from counseling.crypto import keyed_hash
from counseling.errors import PortalError
from counseling.models import Notification, Role, SchoolClass, Semester
from counseling.notifications import notify

Action = audit.AuditEntry.Action


# --- What is expected ---------------------------------------------------------------


def due_weeks(semester, now=None):
    """Teaching weeks whose barometer is due by now: those whose deadline has passed."""
    now = now or timezone.now()
    config = BarometerSettings.for_school(semester.school)
    return [w for w in semester.teaching_weeks() if config.deadline(semester, w) < now]


class Expected:
    """The rule of what is expected, for some classes over some weeks: every teaching week
    among them, less the weeks a class's absence excuses. `(class id, week) in expected`
    asks it of one pair; nothing here is built per class, only per absent class."""

    def __init__(self, semester, weeks, absences):
        self.weeks = sorted({w for w in weeks if semester.is_teaching_week(w)})
        self._teaching = frozenset(self.weeks)
        self.excused = {
            (a.school_class_id, w)
            for a in absences
            for w in self.weeks
            if a.covers_week(semester, w)
        }

    def __contains__(self, pair):
        return pair[1] in self._teaching and pair not in self.excused

    def weeks_of(self, class_id):
        return [w for w in self.weeks if (class_id, w) not in self.excused]


def expected_pairs(semester, classes, weeks, *, absences=None):
    """(class id, week) pairs a barometer is expected for, as a set: for the few callers
    that walk one class's weeks or a handful of classes (`Expected` is the rule)."""
    ids = [c.pk for c in classes]
    if absences is None:
        absences = ClassAbsence.objects.filter(school_class_id__in=ids)
    expected = Expected(semester, weeks, absences)
    return {(c, w) for c in ids for w in expected.weeks_of(c)}


def _figures(n, filed, on_time):
    return {
        "expected": n,
        "filed": filed,
        "on_time": on_time,
        "completeness": filed / n if n else None,
        "timeliness": on_time / n if n else None,
    }


def total_of(figures):
    """The figures of several groups (weeks, departments) taken together."""
    return _figures(*(sum(f[k] for f in figures) for k in ("expected", "filed", "on_time")))


def _sum(counts, key):
    """{key(k): [expected, filed, on time]} summed over counts, groups nothing expected of
    left out (an excused week is no week of the figures)."""
    totals = {}
    for k, (n, filed, on_time) in counts.items():
        if not n:
            continue
        total = totals.setdefault(key(k), [0, 0, 0])
        total[0] += n
        total[1] += filed
        total[2] += on_time
    return totals


def _group(totals):
    return {k: _figures(*row) for k, row in sorted(totals.items())}


class Coverage:
    """Completeness and timeliness of some classes over some weeks, never above 100 %:
    expected is `Expected`, filed and on time count only expected (class, week) pairs.

    The database counts: one GROUP BY per department and week for the totals, by week and
    by department, and (asked for only where a page shows classes or members) one per
    class and week for `by_class`, `of_class` and `filed`; each runs once, when first
    needed, and brings the number of classes along. Only classes with an absence are
    looked at one by one, to take their excused weeks off. Membership of one pair is
    `(class id, week) in coverage.expected`."""

    def __init__(self, semester, classes, weeks, absences=None, scope=None):
        self.semester = semester
        # How the barometers and absences select the classes: joined to them for the whole
        # school (cheaper than IN (subquery)), else by the classes' ids or the caller's
        # queryset.
        if classes is None:
            self._classes = (
                SchoolClass.objects.active()
                .filter(department__school_id=semester.school_id)
                .order_by()
            )
            self._through_class = {
                "school_class__is_active": True,
                "school_class__department__school_id": semester.school_id,
            }
            self._objects = None
        else:
            self._objects = list(classes)
            # A subquery when the caller has one: an IN list of 600 ids costs Django more
            # to prepare than the database to read.
            self._classes = [c.pk for c in self._objects] if scope is None else scope
            self._through_class = {"school_class__in": self._classes}
        if absences is None:
            absences = ClassAbsence.objects.filter(**self._through_class).annotate(
                department_id=F("school_class__department_id")
            )
        self._absences = list(absences)
        self.expected = Expected(semester, weeks, self._absences)
        self._counts = {}
        self._sizes = {}
        self._with_weather = False
        self._weather = {}

    def _department_of_away(self):
        if self._objects is not None:
            department_of = {c.pk: c.department_id for c in self._objects}
            return {a.school_class_id: department_of[a.school_class_id] for a in self._absences}
        return {a.school_class_id: a.department_id for a in self._absences}

    def _size(self, per):
        """{department or class id: number of classes}."""
        if per not in self._sizes:
            if self._objects is not None:
                key = attrgetter("department_id" if per == "department" else "pk")
                self._sizes[per] = dict(Counter(map(key, self._objects)))
            elif per == "department":
                self._sizes[per] = dict(
                    self._classes.values_list("department_id").annotate(n=Count("pk"))
                )
            else:
                self._sizes[per] = dict.fromkeys(self._classes.values_list("pk", flat=True), 1)
        return self._sizes[per]

    def counts(self, per="department"):
        """{(department or class id, week): [expected, filed, on time]}."""
        if per in self._counts:
            return self._counts[per]
        weeks = self.expected.weeks
        excused = self.expected.excused
        group_of = {c: c for c, _w in excused}
        if per == "department":
            group_of = self._department_of_away()
        # The weather of every week, due or not, comes with the department counts when
        # asked for: the same rows, grouped by one more column.
        weather = self._with_weather and per == "department"
        rows = []
        if weeks or weather:
            rows = self._filed_rows(per, weeks, weather, list(group_of))
        counts = {(k, w): [n, 0, 0] for k, n in self._size(per).items() for w in weeks}
        for class_id, week in excused:
            counts[(group_of[class_id], week)][0] -= 1
        due = set(weeks)
        distribution = {}
        for key, week, late, kind, class_id, n in rows:
            if weather:
                by_kind = distribution.setdefault(week, {})
                by_kind[kind] = by_kind.get(kind, 0) + n
            if week not in due or class_id and (class_id, week) in excused:
                continue
            row = counts[(key, week)]
            row[1] += n
            if not late:
                row[2] += n
        if weather:
            self._weather = {w: dict(sorted(d.items())) for w, d in sorted(distribution.items())}
        self._counts[per] = counts
        return counts

    def _filed_rows(self, per, weeks, weather, away_ids):
        """(department or class id, week, late, weather or 0, class id if away else 0, n)
        rows of the classes' barometers; with the classes' sizes in the same round trip
        when they are not known yet, as rows of week 0 (no week is numbered 0)."""
        # Absent classes' rows come apart from the others' (their class id, else 0), so
        # that a barometer filed for an excused week is taken off, not counted.
        away = Value(0)
        if away_ids:
            away = Case(
                When(school_class_id__in=away_ids, then=F("school_class_id")), default=Value(0)
            )
        barometers = Barometer.objects.filter(semester=self.semester, **self._through_class)
        if not weather:
            barometers = barometers.filter(week__in=weeks)
        field_name = "school_class__department_id" if per == "department" else "school_class_id"
        if weather:
            barometers = barometers.values_list(field_name, "week", "late", "weather")
        else:
            barometers = barometers.values_list(field_name, "week", "late").annotate(
                b_kind=Value(0)
            )
        barometers = barometers.annotate(b_away=away, b_n=Count("pk")).order_by()
        if per in self._sizes or self._objects is not None:
            return list(barometers)
        sizes = (
            self._classes.order_by()
            .values_list("department_id" if per == "department" else "pk")
            .annotate(
                b_week=Value(0),
                b_late=Value(False),
                b_kind=Value(0),
                b_away=Value(0),
                b_n=Count("pk"),
            )
        )
        rows = []
        self._sizes[per] = {}
        for row in sizes.union(barometers, all=True):
            if row[1] == 0:
                self._sizes[per][row[0]] = row[5]
            else:
                rows.append(row)
        return rows

    def with_weather(self):
        """Have the department counts bring the weather by week along (one query for both):
        every barometer of the classes, the open week's and excused weeks' too."""
        self._with_weather = True
        return self

    def weather_by_week(self):
        """{week: {weather: count}}, as `Barometer.objects.weather_distribution` gives it."""
        if not self._with_weather:
            self._with_weather = True
            self._counts.pop("department", None)
        self.counts()
        return self._weather

    def classes_by_department(self):
        """{department id: number of classes}, departments with no due week included."""
        return self._size("department")

    def total(self):
        return _figures(*_sum(self.counts(), lambda k: None).get(None, [0, 0, 0]))

    def by_week(self):
        return _group(_sum(self.counts(), itemgetter(1)))

    def by_department(self):
        return _group(_sum(self.counts(), itemgetter(0)))

    def by_class(self):
        return _group(_sum(self.counts("class"), itemgetter(0)))

    def of_class(self, class_id, weeks):
        """One class's figures over some of the weeks (a member's served weeks)."""
        counts = self.counts("class")
        total = [0, 0, 0]
        for week in weeks:
            for i, n in enumerate(counts.get((class_id, week), ())):
                total[i] += n
        return _figures(*total)

    def filed(self, class_id, week):
        """Whether an expected week of a class was filed."""
        return self.counts("class").get((class_id, week), [0, 0, 0])[1] > 0


def coverage(semester, classes=None, weeks=None, now=None, *, absences=None, scope=None):
    """Coverage of classes (default: every active class of the school) over weeks (default:
    the weeks due by now). A fixed number of queries, whatever the number of classes.

    classes: objects with pk and department_id (classes, or rows standing for them).
    absences: the classes' ClassAbsence rows when the caller has read them for its own use;
    scope: a SchoolClass queryset of the same classes, for the queries to select them by
    (both only with classes given)."""
    if weeks is None:
        weeks = due_weeks(semester, now)
    return Coverage(semester, classes, weeks, absences, scope)


def school_figures(semester, now=None):
    """The school page's figures over its active classes, in one grouped query: the
    coverage, and the weather by week of every barometer filed (the open week's too)."""
    cover = coverage(semester, now=now).with_weather()
    return cover, cover.weather_by_week()


# --- Filing ---------------------------------------------------------------------------


@dataclass
class Filing:
    weather: int
    nothing_to_report: bool = False
    note: str = ""
    concerns: dict = field(default_factory=dict)  # kind -> count
    students: list = field(default_factory=list)  # (student, kind, severity, note)
    suggestions: list = field(default_factory=list)  # texts


def member_classes(user, semester):
    return SchoolClass.objects.filter(
        committee_members__semester=semester,
        committee_members__student__user=user,
        committee_members__ended_on__isnull=True,
    ).distinct()


def _check(filing, school_class):
    if filing.nothing_to_report:
        filing.weather = Weather.SUNNY
        filing.concerns, filing.students = {}, []
    if filing.weather not in Weather.values:
        raise PortalError("weather", _("Pick the class's weather."))
    size = school_class.students.filter(is_active=True).count()
    for kind, count in filing.concerns.items():
        if kind not in ConcernKind.values or count < 0:
            raise PortalError("concern", _("Unknown kind of concern."))
        if count > size:
            raise PortalError(
                "concern_count",
                _("%(n)s is more than the %(size)s students of the class.")
                % {"n": count, "size": size},
            )
    seen = set()
    for student, kind, severity, _note in filing.students:
        if student.school_class_id != school_class.pk or not student.is_active:
            raise PortalError("student", _("A student of concern must be on the class's roster."))
        if student.pk in seen:
            raise PortalError(
                "student_twice", _("%(name)s is listed twice.") % {"name": student.name}
            )
        seen.add(student.pk)
        if kind not in ConcernKind.values or severity not in Severity.values:
            raise PortalError("student_kind", _("Give each student a kind and a severity."))


def file_barometer(
    user, school_class, semester, week, filing, *, now=None, request=None, config=None
):
    """File or edit a class's barometer for a week; raises PortalError with a message.
    `config`: the school's BarometerSettings, when the caller has read them already.

    One barometer per class and week is the database's rule: when two members of a class
    submit at once, the second is told, and nothing of it is half-written.
    """
    now = now or timezone.now()
    if not semester.is_teaching_week(week):
        raise PortalError("week", _("Week %(n)s has no teaching.") % {"n": week})
    current = semester.week_of(timezone.localtime(now).date())
    if current is not None and week > current:
        raise PortalError("future", _("A week's barometer is filed during or after that week."))
    _check(filing, school_class)
    config = config or BarometerSettings.for_school(semester.school_id)
    deadline = config.deadline(semester, week)
    try:
        with transaction.atomic():
            barometer = (
                Barometer.objects.select_for_update()
                .filter(semester=semester, school_class=school_class, week=week)
                .first()
            )
            created = barometer is None
            if created:
                barometer = Barometer(
                    semester=semester,
                    school_class=school_class,
                    week=week,
                    filed_by=user,
                    submitted_at=now,
                    late=now > deadline,
                )
            elif not barometer.editable(now, deadline):
                raise PortalError(
                    "locked",
                    _("This barometer is locked since its deadline. Ask a counselor to reopen it."),
                )
            barometer.weather = filing.weather
            barometer.nothing_to_report = filing.nothing_to_report
            barometer.note = filing.note.strip()
            barometer.save()
            _replace_details(barometer, filing, created=created)
            barometer.log_action(user, Action.CREATE if created else Action.UPDATE, request=request)
            evaluate(barometer, now=now, config=config)
    except IntegrityError as exc:
        raise PortalError(
            "already_filed",
            _(
                "A classmate filed this week's barometer a moment ago. It is shown now: check it and add to it."
            ),
        ) from exc
    return barometer, created


def _replace_details(barometer, filing, *, created=False):
    # A barometer just created has no details to replace: four statements fewer on the
    # Monday spike, when nearly every submit is a first one.
    if not created:
        barometer.concerns.all().delete()
    BarometerConcern.objects.bulk_create(
        BarometerConcern(barometer=barometer, kind=k, count=n)
        for k, n in filing.concerns.items()
        if n
    )
    if not created:
        barometer.students.all().delete()
    StudentOfConcern.objects.bulk_create(
        StudentOfConcern(
            barometer=barometer,
            student_ref=keyed_hash(student.pk),
            student_id_enc=str(student.pk),
            kind=kind,
            severity=severity,
            note=note.strip(),
        )
        for student, kind, severity, note in filing.students
    )
    # Suggestions already acknowledged or answered stay; open ones no longer sent go, and
    # an open one sent again is kept as it was (its date, and the liaison told only once).
    wanted = list(dict.fromkeys(t.strip() for t in filing.suggestions if t.strip()))
    kept = set()
    if not created:
        barometer.suggestions.filter(status=CourseSuggestion.Status.OPEN).exclude(
            text__in=wanted
        ).delete()
        kept = set(barometer.suggestions.values_list("text", flat=True))
    created = CourseSuggestion.objects.bulk_create(
        CourseSuggestion(
            barometer=barometer, department_id=barometer.school_class.department_id, text=t
        )
        for t in wanted
        if t not in kept
    )
    if created:
        _tell_liaisons(barometer, created)


def _tell_liaisons(barometer, suggestions):
    """New course suggestions reach the liaisons of the class's department."""
    liaisons = [
        r.user
        for r in Role.objects.current()
        .filter(kind=Role.Kind.LIAISON, department=barometer.school_class.department_id)
        .select_related("user")
    ]
    # The title and the link only: the text is a member's free writing (tier 2, and it may
    # name a classmate). E-mail and a group robot carry the body out of the portal.
    notify(
        liaisons,
        "committees.suggestion",
        _("A course suggestion from %(cls)s") % {"cls": barometer.school_class},
        "",
        url=reverse("committees:suggestion-list"),
    )


@transaction.atomic
def reopen(barometer, counselor, *, request=None, now=None):
    now = now or timezone.now()
    hours = BarometerSettings.for_school(barometer.semester.school).reopen_hours
    barometer.reopened_until = now + datetime.timedelta(hours=hours)
    barometer.save(update_fields=["reopened_until", "updated_at"])
    barometer.log_action(
        counselor, Action.REACTIVATE, request=request, changes={"reopened_hours": hours}
    )


@transaction.atomic
def immediate_report(user, school_class, semester, student, note, *, request=None):
    """即时报告: reaches every counselor at once, outside the weekly cycle."""
    if student.school_class_id != school_class.pk or not student.is_active:
        raise PortalError("student", _("The student must be on the class's roster."))
    if not note.strip():
        raise PortalError("note", _("Say what happened."))
    report = ImmediateReport.objects.create(
        semester=semester,
        school_class=school_class,
        student_ref=keyed_hash(student.pk),
        student_id_enc=str(student.pk),
        note=note.strip(),
        filed_by=user,
    )
    audit.record(user, Action.CREATE, report, request=request, label=_("Immediate report"))
    raise_alert(
        semester,
        school_class,
        Alert.Rule.IMMEDIATE,
        Alert.Grade.RED,
        key=f"immediate:{report.pk}",
        student_pk=student.pk,
        immediate=report,
        week=semester.current_week(),
    )
    return report


# --- Alerts ---------------------------------------------------------------------------


def _counselors(school):
    return [
        r.user
        for r in Role.objects.current()
        .filter(kind=Role.Kind.COUNSELOR, school=school)
        .select_related("user")
    ]


def _least_busy(counselors):
    if not counselors:
        return None
    load = dict(
        Alert.objects.open()
        .filter(assigned_to__in=counselors)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
    )
    return min(counselors, key=lambda u: (load.get(u.pk, 0), u.pk))


def raise_alert(
    semester,
    school_class,
    rule,
    grade,
    *,
    key,
    week=None,
    barometer=None,
    student_pk=None,
    immediate=None,
):
    """Raise an alert once: a second call with the same key does nothing and returns None."""
    if Alert.objects.filter(key=key).exists():
        return None
    counselors = _counselors(semester.school)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                school=semester.school,
                semester=semester,
                school_class=school_class,
                week=week,
                rule=rule,
                grade=grade,
                key=key,
                barometer=barometer,
                immediate_report=immediate,
                student_ref=keyed_hash(student_pk) if student_pk else "",
                student_id_enc=str(student_pk) if student_pk else "",
                assigned_to=_least_busy(counselors),
            )
    except IntegrityError:
        return None  # raised a moment ago by a concurrent filing
    url = reverse("committees:alert-detail", args=[alert.pk])
    label = alert.get_rule_display()
    title = _("%(grade)s alert: %(cls)s") % {
        "grade": alert.get_grade_display(),
        "cls": school_class,
    }
    if grade == Alert.Grade.RED:
        notify(counselors, "committees.alert_red", title, label, url=url)
    elif alert.assigned_to:
        notify([alert.assigned_to], "committees.alert", title, label, url=url)
    # One barometer can raise several alerts at once: the teacher is told once a week (or
    # once a day for immediate reports), never whom an alert names.
    told = Alert.objects.filter(school_class=school_class).exclude(pk=alert.pk)
    if week:
        told = told.filter(semester=semester, week=week)
    else:
        told = told.filter(week__isnull=True, created_at__date=timezone.localdate())
    if school_class.class_teacher_id and not told.exists():
        notify(
            [school_class.class_teacher],
            "committees.alert_teacher",
            _("An alert for your class %(cls)s") % {"cls": school_class},
            _(
                "The counseling office is following it up; nothing is asked of you now. "
                "A counselor will contact you if your help is needed. If you see a student "
                "in danger, call the counseling office at once."
            ),
        )
    return alert


def _named_streaks(barometer, concerns):
    """{student_ref: (streak, start)} for the students of concern of a barometer: the
    consecutive expected weeks, ending at its week, whose barometer names the student, and
    the first of them. Two queries however many students are named (a member may name
    thirty)."""
    semester, school_class, week = barometer.semester, barometer.school_class, barometer.week
    refs = {c.student_ref for c in concerns}
    if not refs:
        return {}
    named = {}
    for ref, named_week in StudentOfConcern.objects.filter(
        barometer__semester=semester,
        barometer__school_class=school_class,
        student_ref__in=refs,
    ).values_list("student_ref", "barometer__week"):
        named.setdefault(ref, set()).add(named_week)
    expected = sorted(w for _c, w in expected_pairs(semester, [school_class], range(1, week + 1)))
    streaks = {}
    for ref in refs:
        weeks = named.get(ref, set())
        streak = 0
        for w in reversed(expected):
            if w not in weeks:
                break
            streak += 1
        streaks[ref] = (streak, expected[len(expected) - streak] if streak else week)
    return streaks


def _class_rules(barometer, earlier, config):
    """(rule, grade, key) of each rule about the whole class that the barometer trips.

    earlier: the weather of the class's previous barometers, latest first."""
    if barometer.weather == Weather.STORM:
        yield Alert.Rule.STORM, Alert.Grade.RED, f"storm:{barometer.pk}"
    if len(earlier) >= 2 and barometer.weather - sum(earlier) / len(earlier) >= config.drop_steps:
        yield Alert.Rule.DROP, Alert.Grade.ORANGE, f"drop:{barometer.pk}"


def _student_rules(barometer, concern, config, streak):
    """(rule, grade, key) of each rule about a named student that the barometer trips.
    streak: (weeks named in a row, the first of them), from `_named_streaks`.

    A student named week after week climbs a ladder: the member talks to them, then a
    counselor task, then a case. A streak's keys carry the week it began, so that each
    rung is raised once per streak."""
    if concern.severity == Severity.URGENT:
        yield Alert.Rule.URGENT, Alert.Grade.RED, f"urgent:{barometer.pk}:{concern.student_ref}"
    streak, start = streak
    base = f"{barometer.semester.pk}:{concern.student_ref}:{start}"
    for rule, grade, reached in (
        (Alert.Rule.NAMED_MEMBER, Alert.Grade.YELLOW, streak >= config.named_member_weeks),
        (Alert.Rule.NAMED_TASK, Alert.Grade.ORANGE, streak >= config.named_task_weeks),
        (Alert.Rule.NAMED_CASE, Alert.Grade.RED, streak > config.named_task_weeks),
    ):
        if reached:
            yield rule, grade, f"{rule.value}:{base}"


def evaluate(barometer, now=None, config=None):
    """Run every rule that a filed barometer can trip. Each alert is raised once; the
    alerts raised now are returned, in the order the rules ran."""
    semester, cls, week = barometer.semester, barometer.school_class, barometer.week
    config = config or BarometerSettings.for_school(semester.school)
    earlier = list(
        Barometer.objects.filter(semester=semester, school_class=cls, week__lt=week)
        .order_by("-week")
        .values_list("weather", flat=True)[: config.baseline_weeks]
    )
    raised = []
    for rule, grade, key in _class_rules(barometer, earlier, config):
        raised.append(
            raise_alert(semester, cls, rule, grade, key=key, week=week, barometer=barometer)
        )
    concerns = list(barometer.students.all())
    streaks = _named_streaks(barometer, concerns)
    for concern in concerns:
        for rule, grade, key in _student_rules(
            barometer, concern, config, streaks[concern.student_ref]
        ):
            alert = raise_alert(
                semester,
                cls,
                rule,
                grade,
                key=key,
                week=week,
                barometer=barometer,
                student_pk=concern.student_pk,
            )
            if alert and rule == Alert.Rule.NAMED_MEMBER:
                _talk_task(alert, barometer)
            raised.append(alert)
    raised.append(check_fidelity(semester, cls, week, config))
    return [alert for alert in raised if alert]


def _talk_task(alert, barometer):
    member = (
        CommitteeMember.objects.active()
        .filter(
            semester=barometer.semester,
            school_class=barometer.school_class,
            student__user=barometer.filed_by,
        )
        .first()
        or CommitteeMember.objects.active()
        .filter(semester=barometer.semester, school_class=barometer.school_class)
        .first()
    )
    if member is None:
        return
    TalkTask.objects.create(alert=alert, member=member)
    if member.student.user_id:
        notify(
            [member.student.user],
            "committees.talk_task",
            _("Please have a talk with a classmate"),
            _(
                "A classmate you named two weeks running: talk with them this week and note how it went."
            ),
            url=reverse("committees:talk-tasks"),
        )


def check_fidelity(semester, school_class, week, config=None):
    """A class that reports 晴 with no concerns week after week while one of its students
    has an open alert: the counselor checks whether the reports can be trusted."""
    config = config or BarometerSettings.for_school(semester.school)
    recent = list(
        Barometer.objects.filter(semester=semester, school_class=school_class, week__lte=week)
        .order_by("-week")
        .annotate(
            concern_total=Count("concerns", filter=Q(concerns__count__gt=0)),
            named=Count("students"),
        )
        .values_list("weather", "concern_total", "named")[: config.fidelity_weeks]
    )
    if len(recent) < config.fidelity_weeks or any(
        w != Weather.SUNNY or c or n for w, c, n in recent
    ):
        return None
    open_for_student = (
        Alert.objects.open().filter(school_class=school_class).exclude(student_ref="")
    )
    if not open_for_student.exists():
        return None
    return raise_alert(
        semester,
        school_class,
        Alert.Rule.FIDELITY,
        Alert.Grade.YELLOW,
        key=f"fidelity:{semester.pk}:{school_class.pk}:{week}",
        week=week,
    )


def check_missing(semester, now=None):
    """Classes without a barometer for `missing_weeks` expected weeks running (weekly job)."""
    config = BarometerSettings.for_school(semester.school)
    weeks = due_weeks(semester, now)
    if not weeks:
        return []
    classes = list(SchoolClass.objects.active().filter(department__school=semester.school))
    result = coverage(semester, classes, weeks=weeks)
    raised = []
    for cls in classes:
        expected = result.expected.weeks_of(cls.pk)
        if not expected:
            continue
        run = 0
        for week in reversed(expected):
            if result.filed(cls.pk, week):
                break
            run += 1
        if run >= config.missing_weeks:
            last = max(expected)
            alert = raise_alert(
                semester,
                cls,
                Alert.Rule.MISSING,
                Alert.Grade.ORANGE,
                key=f"missing:{semester.pk}:{cls.pk}:{last - run + 1}",
                week=last,
            )
            if alert:
                raised.append(alert)
    return raised


# --- Follow-up ------------------------------------------------------------------------


@transaction.atomic
def follow_up(alert, counselor, text, *, status=None, outcome="", request=None):
    """Add a dated note and/or move the alert on; closing needs an outcome, reopening
    keeps the old outcome in the log rather than on the alert."""
    if status is not None and status not in Alert.Status.values:
        raise PortalError("status", _("Unknown status."))
    if status == Alert.Status.CLOSED and not outcome.strip():
        raise PortalError("outcome", _("Say how the alert ended before closing it."))
    if text.strip():
        AlertNote.objects.create(alert=alert, author=counselor, text=text.strip())
    if status == Alert.Status.CLOSED:
        alert.outcome = outcome.strip()
        alert.closed_at = timezone.now()
    elif status is not None and alert.status == Alert.Status.CLOSED:
        AlertNote.objects.create(
            alert=alert,
            author=counselor,
            text=_("Reopened; it had closed with: %(o)s") % {"o": alert.outcome},
        )
        alert.outcome = ""
        alert.closed_at = None
    if status:
        alert.status = status
    elif alert.status == Alert.Status.OPEN and text.strip():
        alert.status = Alert.Status.FOLLOWING
    alert.save()
    if alert.status != Alert.Status.OPEN:
        # Someone is on it: no counselor's bell keeps counting it as news.
        Notification.objects.filter(
            kind__in=["committees.alert", "committees.alert_red"],
            url=reverse("committees:alert-detail", args=[alert.pk]),
        ).mark_read()
    audit.record(counselor, Action.UPDATE, alert, request=request, changes={"status": alert.status})


# --- Reminders ------------------------------------------------------------------------


def missing_classes(semester, week):
    filed = Barometer.objects.filter(semester=semester, week=week).values("school_class")
    classes = (
        SchoolClass.objects.active()
        .filter(department__school=semester.school)
        .exclude(pk__in=filed)
    )
    expected = {c for c, _w in expected_pairs(semester, classes, [week])}
    return [c for c in classes.select_related("department", "class_teacher") if c.pk in expected]


def remind_members(semester, week, classes=None):
    """Notify the members of classes that have not filed a week's barometer."""
    classes = missing_classes(semester, week) if classes is None else classes
    members = (
        CommitteeMember.objects.active()
        .filter(semester=semester, school_class__in=classes, student__user__isnull=False)
        .select_related("student__user")
    )
    users = [m.student.user for m in members]
    notify(
        users,
        "committees.barometer_reminder",
        _("Week %(n)s's barometer is still missing") % {"n": week},
        _("It takes a minute: open the portal and file it."),
        url=reverse("committees:barometer-file"),
    )
    return len(users)


def _already(key):
    """True when the reminder `key` was sent. Called in the transaction that sends it: the
    key and the notifications commit together, so a run killed between them sends it again
    rather than never."""
    _log, created = ReminderLog.objects.get_or_create(key=key)
    return not created


def run_reminders(now=None):
    """Daily (Celery beat): the day before the deadline remind the members of classes still
    missing; after it tell the class teacher; at the second miss running, the liaison.
    Also the rules that need the calendar rather than a filing: missing weeks."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    sent = {"members": 0, "teachers": 0, "liaisons": 0}
    for semester in Semester.objects.filter(first_monday__lte=today).select_related("school"):
        if not semester.contains(today - datetime.timedelta(days=14)) and not semester.contains(
            today
        ):
            continue
        config = BarometerSettings.for_school(semester.school)
        for week in semester.teaching_weeks():
            deadline = config.deadline(semester, week)
            local_deadline = timezone.localtime(deadline).date()
            if local_deadline - datetime.timedelta(days=1) == today:
                with transaction.atomic():
                    if not _already(f"members:{semester.pk}:{week}"):
                        sent["members"] += remind_members(semester, week)
            elif deadline < now and (today - local_deadline).days <= 7:
                for cls in missing_classes(semester, week):
                    with transaction.atomic():
                        if cls.class_teacher_id and not _already(
                            f"teacher:{semester.pk}:{week}:{cls.pk}"
                        ):
                            notify(
                                [cls.class_teacher],
                                "committees.barometer_missed",
                                _("%(cls)s missed week %(n)s's barometer")
                                % {"cls": cls, "n": week},
                                url=reverse("committees:week-board"),
                            )
                            sent["teachers"] += 1
                    previous = [w for w in semester.teaching_weeks() if w < week]
                    if (
                        not previous
                        or Barometer.objects.filter(
                            semester=semester, school_class=cls, week=previous[-1]
                        ).exists()
                    ):
                        continue
                    with transaction.atomic():
                        if not _already(f"liaison:{semester.pk}:{week}:{cls.pk}"):
                            liaisons = [
                                r.user
                                for r in Role.objects.current()
                                .filter(kind=Role.Kind.LIAISON, department=cls.department_id)
                                .select_related("user")
                            ]
                            notify(
                                liaisons,
                                "committees.barometer_missed",
                                _("%(cls)s missed two barometers running") % {"cls": cls},
                            )
                            sent["liaisons"] += len(liaisons)
        check_missing(semester, now)
    return sent


# --- Talk tasks, hand-overs and course suggestions (called by the views) -------------


@transaction.atomic
def complete_talk_task(task, user, note, *, request=None, now=None):
    """The member has talked with the classmate. How it went is kept encrypted on the task
    and in the alert's log, and the alert is now being followed up."""
    now = now or timezone.now()
    task = TalkTask.objects.select_for_update().select_related("alert").get(pk=task.pk)
    if task.done_at:
        raise PortalError("done", _("This talk is already recorded."))
    note = note.strip()
    if not note:
        raise PortalError("note", _("Say in a few words how it went."))
    task.done_at = now
    task.note = note
    task.save(update_fields=["done_at", "note"])
    alert = task.alert
    AlertNote.objects.create(
        alert=alert,
        author=user,
        on=timezone.localtime(now).date(),
        text=_("The committee member talked with the student: %(note)s") % {"note": note},
    )
    if alert.status == Alert.Status.OPEN:
        alert.status = Alert.Status.FOLLOWING
        alert.save(update_fields=["status"])
    audit.record(user, Action.UPDATE, alert, request=request, changes={"talk_task": "done"})
    if alert.assigned_to_id:
        notify(
            [alert.assigned_to],
            "committees.alert",
            _("A committee member recorded a talk: %(cls)s") % {"cls": alert.school_class},
            _("See the alert's follow-up log."),
            url=reverse("committees:alert-detail", args=[alert.pk]),
        )
    return task


@transaction.atomic
def reassign_alert(alert, counselor, to, *, request=None):
    """Hand an alert over to another counselor of the school; the log says so."""
    if to.pk == alert.assigned_to_id:
        return False
    if not (
        Role.objects.current()
        .filter(kind=Role.Kind.COUNSELOR, school=alert.school_id, user=to)
        .exists()
    ):
        raise PortalError("assignee", _("Pick a counselor of the school."))
    alert.assigned_to = to
    alert.save(update_fields=["assigned_to"])
    AlertNote.objects.create(
        alert=alert, author=counselor, text=_("Handed over to %(name)s.") % {"name": to}
    )
    audit.record(counselor, Action.UPDATE, alert, request=request, changes={"assigned_to": str(to)})
    notify(
        [to],
        "committees.alert",
        _("An alert handed over to you: %(cls)s") % {"cls": alert.school_class},
        alert.get_rule_display(),
        url=reverse("committees:alert-detail", args=[alert.pk]),
    )
    return True


@transaction.atomic
def acknowledge_suggestion(suggestion, user, *, request=None, now=None):
    """The liaison has seen the suggestion; the answer may follow later."""
    if suggestion.status != CourseSuggestion.Status.OPEN:
        return False
    suggestion.status = CourseSuggestion.Status.ACKNOWLEDGED
    suggestion.acknowledged_at = now or timezone.now()
    suggestion.save(update_fields=["status", "acknowledged_at"])
    audit.record(
        user, Action.UPDATE, suggestion, request=request, changes={"status": suggestion.status}
    )
    return True


@transaction.atomic
def answer_suggestion(suggestion, user, adopted, answer, *, request=None, now=None):
    """The liaison's answer: adopted or not, and why. The class's members are told."""
    now = now or timezone.now()
    answer = answer.strip()
    if adopted is None:
        raise PortalError("adopted", _("Say whether the suggestion is adopted."))
    if not answer:
        raise PortalError("answer", _("Give the reason with the answer."))
    suggestion.status = CourseSuggestion.Status.ANSWERED
    suggestion.adopted = adopted
    suggestion.answer = answer
    suggestion.answered_by = user
    suggestion.answered_at = now
    suggestion.acknowledged_at = suggestion.acknowledged_at or now
    suggestion.save()
    audit.record(
        user,
        Action.UPDATE,
        suggestion,
        request=request,
        changes={"status": suggestion.status, "adopted": adopted},
    )
    barometer = suggestion.barometer
    members = (
        CommitteeMember.objects.active()
        .filter(
            semester=barometer.semester_id,
            school_class=barometer.school_class_id,
            student__user__isnull=False,
        )
        .select_related("student__user")
    )
    # The kind may reach the class's group robot: the title and the verdict only, the
    # suggestion and the reason stay behind the link.
    notify(
        [m.student.user for m in members],
        "committees.suggestion_answered",
        _("Your class's course suggestion was answered"),
        _("Adopted") if adopted else _("Not adopted"),
        url=reverse("committees:suggestion-list"),
    )
    return suggestion
