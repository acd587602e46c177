"""The barometer's services: what each class is expected to file, filing and locking, the
alert rules, follow-up and reminders. Views and tasks call these; the models stay plain."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
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


@dataclass
class Coverage:
    """Completeness and timeliness over (class, week) pairs; never above 100 %."""

    expected: set = field(default_factory=set)
    filed: set = field(default_factory=set)
    on_time: set = field(default_factory=set)
    department_of: dict = field(default_factory=dict)

    @staticmethod
    def _figures(n, filed, on_time):
        return {
            "expected": n,
            "filed": filed,
            "on_time": on_time,
            "completeness": filed / n if n else None,
            "timeliness": on_time / n if n else None,
        }

    def total(self):
        return self._figures(
            len(self.expected), len(self.filed & self.expected), len(self.on_time & self.expected)
        )

    def _counts(self, key):
        """{key: [expected, filed, on time]}, counted in C (sets, Counter, itemgetter): a
        Python loop over the 7,800 pairs of a 600-class school was a tenth of a second."""
        expected = Counter(map(key, self.expected))
        filed = Counter(map(key, self.filed & self.expected))
        on_time = Counter(map(key, self.on_time & self.expected))
        return {k: [n, filed[k], on_time[k]] for k, n in expected.items()}

    def _group(self, counts):
        return {k: self._figures(*row) for k, row in sorted(counts.items())}

    def by_week(self):
        return self._group(self._counts(itemgetter(1)))

    def by_class(self):
        return self._group(self._counts(itemgetter(0)))

    def by_department(self):
        counts = {}
        for class_id, row in self._counts(itemgetter(0)).items():
            total = counts.setdefault(self.department_of[class_id], [0, 0, 0])
            for i, n in enumerate(row):
                total[i] += n
        return self._group(counts)


def expected_pairs(semester, classes, weeks, *, absences=None):
    """(class id, week) pairs a barometer is expected for: teaching weeks, less absences.

    absences: the classes' ClassAbsence rows when the caller has them already."""
    classes = list(classes)
    if absences is None:
        absences = ClassAbsence.objects.filter(school_class_id__in=[c.pk for c in classes])
    away_of = {}
    for absence in absences:
        away_of.setdefault(absence.school_class_id, []).append(absence)
    teaching = [w for w in weeks if semester.is_teaching_week(w)]
    # Most classes are never away: their pairs are every teaching week, with no test each.
    pairs = set()
    for cls in classes:
        away = away_of.get(cls.pk)
        if not away:
            pairs.update((cls.pk, week) for week in teaching)
            continue
        for week in teaching:
            if not any(a.covers_week(semester, week) for a in away):
                pairs.add((cls.pk, week))
    return pairs


def coverage(semester, classes=None, weeks=None, now=None, *, absences=None, filed=None):
    """Coverage of classes (default: every active class of the school) over weeks (default:
    the weeks due by now). A fixed number of queries, whatever the number of classes.

    absences and filed ((class id, week, late) rows of those weeks' barometers) spare the
    queries when the caller has read them for its own use."""
    if classes is None:
        # Only what the arithmetic reads of each class: at 600 classes, whole rows cost more
        # than the figures.
        classes = (
            SchoolClass.objects.active()
            .filter(department__school=semester.school)
            .only("pk", "department_id")
        )
    classes = list(classes)
    if weeks is None:
        weeks = due_weeks(semester, now)
    result = Coverage(department_of={c.pk: c.department_id for c in classes})
    result.expected = expected_pairs(semester, classes, weeks, absences=absences)
    if filed is None:
        # Ids, not 600 model instances (Django normalises every element of an IN list), and
        # no order: the model's (week, class name) joined the classes to sort 7,000 rows.
        filed = (
            Barometer.objects.filter(
                semester=semester,
                school_class_id__in=[c.pk for c in classes],
                week__in=list(weeks),
            )
            .order_by()
            .values_list("school_class_id", "week", "late")
        )
    for class_id, week, late in filed:
        result.filed.add((class_id, week))
        if not late:
            result.on_time.add((class_id, week))
    return result


class CountedCoverage(Coverage):
    """Coverage from counts per (department, week) rather than sets of (class, week) pairs:
    what a whole school's figures need (total, by week, by department) without 7,000 pairs
    built in Python on every request."""

    def __init__(self, counts, departments):
        super().__init__()
        self.counts = counts  # {(department id, week): [expected, filed, on time]}
        self.departments = departments  # those with an active class, due weeks or not

    def _sum(self, key):
        totals = {}
        for k, row in self.counts.items():
            total = totals.setdefault(key(k), [0, 0, 0])
            for i, n in enumerate(row):
                total[i] += n
        return totals

    def total(self):
        return self._figures(*self._sum(lambda k: None).get(None, [0, 0, 0]))

    def by_week(self):
        return self._group(self._sum(itemgetter(1)))

    def by_department(self):
        return self._group(self._sum(itemgetter(0)))

    def by_class(self):
        raise NotImplementedError("counted per department, not per class")


def school_figures(semester, now=None):
    """The school page's figures over its active classes, counted by the database: the
    coverage (as `coverage` gives it) and the weather by week. A fixed number of queries.

    One GROUP BY (department, week, weather, late) gives both the weather distribution and
    the filed and on-time counts; only the few classes with an absence are looked at one by
    one, since an excused week is neither expected nor counted as filed."""
    weeks = due_weeks(semester, now)
    due = set(weeks)
    classes = SchoolClass.objects.active().filter(department__school=semester.school)
    per_department = dict(classes.values_list("department_id").annotate(n=Count("pk")).order_by())
    counts = {(d, w): [n, 0, 0] for d, n in per_department.items() for w in weeks}
    distribution = {}
    rows = (
        Barometer.objects.filter(semester=semester, school_class__in=classes)
        .values_list("school_class__department_id", "week", "weather", "late")
        .annotate(n=Count("pk"))
        .order_by("week", "weather")
    )
    for department_id, week, weather, late, n in rows:
        by_weather = distribution.setdefault(week, {})
        by_weather[weather] = by_weather.get(weather, 0) + n
        if week in due:
            row = counts[(department_id, week)]
            row[1] += n
            if not late:
                row[2] += n
    absences = list(
        ClassAbsence.objects.filter(school_class__in=classes).select_related("school_class")
    )
    if absences:
        away = [a.school_class for a in absences]
        department_of = {c.pk: c.department_id for c in away}
        excused = {(c.pk, w) for c in away for w in weeks} - expected_pairs(
            semester, set(away), weeks, absences=absences
        )
        for class_id, week in excused:
            counts[(department_of[class_id], week)][0] -= 1
        for class_id, week, late in Barometer.objects.filter(
            semester=semester, school_class_id__in=department_of, week__in=weeks
        ).values_list("school_class_id", "week", "late"):
            if (class_id, week) in excused:
                row = counts[(department_of[class_id], week)]
                row[1] -= 1
                if not late:
                    row[2] -= 1
    return CountedCoverage(counts, set(per_department)), distribution


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
    result = coverage(semester, weeks=weeks, now=now)
    classes = {c.pk: c for c in SchoolClass.objects.filter(pk__in=result.department_of)}
    raised = []
    by_class = {}
    for class_id, week in result.expected:
        by_class.setdefault(class_id, []).append(week)
    for class_id, expected in by_class.items():
        run = 0
        for week in sorted(expected, reverse=True):
            if (class_id, week) in result.filed:
                break
            run += 1
        if run >= config.missing_weeks:
            last = max(expected)
            alert = raise_alert(
                semester,
                classes[class_id],
                Alert.Rule.MISSING,
                Alert.Grade.ORANGE,
                key=f"missing:{semester.pk}:{class_id}:{last - run + 1}",
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
