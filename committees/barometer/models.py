"""The weekly mood barometer (学生心理健康状况晴雨表), immediate reports, course suggestions
and the alerts raised over them."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.crypto import EncryptedTextField
from counseling.models import Department, School, SchoolClass, Semester
from counseling.permissions import access_of


class Weather(models.IntegerChoices):
    """A class's overall state, one step per grade of worry."""

    SUNNY = 1, _("Sunny")
    PARTLY_CLOUDY = 2, _("Partly cloudy")
    OVERCAST = 3, _("Overcast")
    RAIN = 4, _("Rain")
    STORM = 5, _("Thunderstorm")


WEATHER_ICONS = {
    1: "bi-sun",
    2: "bi-cloud-sun",
    3: "bi-cloud",
    4: "bi-cloud-rain",
    5: "bi-cloud-lightning-rain",
}
WEATHER_COLOURS = {1: "#f5b301", 2: "#8fb3d9", 3: "#8a8f98", 4: "#3d6fb6", 5: "#7b2cbf"}


class ConcernKind(models.TextChoices):
    STUDY = "study", _("Study pressure")
    RELATIONSHIPS = "relationships", _("Relationships")
    FAMILY = "family", _("Family")
    LOVE = "love", _("Love and emotions")
    HOMESICK = "homesick", _("Homesickness and adjustment")
    JOBS = "jobs", _("Jobs and internship")
    PHONE = "phone", _("Phone and internet")
    HEALTH = "health", _("Health")
    OTHER = "other", _("Other")


class Severity(models.TextChoices):
    WATCH = "watch", _("Watch")  # 关注
    CLOSE = "close", _("Close watch")  # 重点关注
    URGENT = "urgent", _("Urgent")  # 紧急


class BarometerSettings(models.Model):
    """A school's rules for the barometer: the deadline and every alert threshold."""

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="barometer_settings"
    )
    deadline_weekday = models.PositiveSmallIntegerField(
        _("deadline weekday"),
        default=0,
        help_text=_("In the week after the one reported; 0 is Monday."),
    )
    deadline_time = models.TimeField(_("deadline time"), default=datetime.time(12, 0))
    reopen_hours = models.PositiveSmallIntegerField(
        _("hours a reopened barometer stays open"), default=48
    )
    drop_steps = models.PositiveSmallIntegerField(
        _("alert when a class is this many steps worse than its average"), default=2
    )
    baseline_weeks = models.PositiveSmallIntegerField(_("weeks in that average"), default=4)
    named_member_weeks = models.PositiveSmallIntegerField(
        _("weeks in a row a student is named before the member is asked to talk"), default=2
    )
    named_task_weeks = models.PositiveSmallIntegerField(
        _("weeks in a row before a counselor task"), default=3
    )
    missing_weeks = models.PositiveSmallIntegerField(
        _("weeks without a barometer before an alert"), default=2
    )
    fidelity_weeks = models.PositiveSmallIntegerField(
        _("weeks of all-sunny reports, with an open alert, before a check"), default=6
    )

    class Meta:
        verbose_name = _("barometer settings")
        verbose_name_plural = _("barometer settings")
        constraints = [
            models.CheckConstraint(condition=Q(deadline_weekday__lte=6), name="settings_weekday"),
            models.CheckConstraint(
                condition=Q(named_task_weeks__gt=models.F("named_member_weeks")),
                name="settings_ladder_ordered",
            ),
            models.CheckConstraint(
                condition=Q(drop_steps__gte=1)
                & Q(baseline_weeks__gte=1)
                & Q(missing_weeks__gte=1)
                & Q(fidelity_weeks__gte=1)
                & Q(named_member_weeks__gte=2),
                name="settings_positive",
            ),
        ]

    def __str__(self):
        return str(self.school)

    @classmethod
    def for_school(cls, school):
        """The school's settings, or the defaults (unsaved: reading must not write).
        `school` is a School or its pk: a caller holding only `semester.school_id` need
        not read the school."""
        if isinstance(school, models.Model):
            return cls.objects.filter(school=school).first() or cls(school=school)
        return cls.objects.filter(school_id=school).first() or cls(school_id=school)

    def deadline(self, semester, week):
        """When the barometer of a week locks: a weekday and time of the following week."""
        monday_after = semester.week_start(week) + datetime.timedelta(days=7)
        day = monday_after + datetime.timedelta(days=self.deadline_weekday)
        return timezone.make_aware(datetime.datetime.combine(day, self.deadline_time))


class ClassAbsence(AuditedModel):
    """Dates on which a class is away (internship, exams, a trip) and files no barometer."""

    class Kind(models.TextChoices):
        INTERNSHIP = "internship", _("Internship (顶岗/跟岗实习)")
        EXAMS = "exams", _("Exams")
        TRIP = "trip", _("Trip")
        OTHER = "other", _("Other")

    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="absences", verbose_name=_("class")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("class absence")
        verbose_name_plural = _("class absences")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="absence_dates_ordered"
            )
        ]

    def __str__(self):
        return f"{self.school_class} · {self.get_kind_display()}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end cannot come before the start.")})

    def covers_week(self, semester, week):
        """A week is excused when the absence covers its whole school week, Monday to Friday."""
        monday = semester.week_start(week)
        return self.starts_on <= monday and self.ends_on >= monday + datetime.timedelta(days=4)


class BarometerQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tier 2: counselors, the class's teacher, its department's liaison and its members."""
        return self.filter(access_of(user).class_text_q("school_class"))

    def for_semester(self, semester):
        return self.filter(semester=semester)

    def weather_distribution(self):
        """{week: {weather: count}} over the queryset."""
        result = {}
        for row in (
            self.values("week", "weather").annotate(n=Count("pk")).order_by("week", "weather")
        ):
            result.setdefault(row["week"], {})[row["weather"]] = row["n"]
        return result

    def concerns_by_kind(self):
        totals = dict(
            BarometerConcern.objects.filter(barometer__in=self)
            .values_list("kind")
            .annotate(n=Sum("count"))
            .order_by()
        )
        return {kind: totals.get(kind, 0) for kind in ConcernKind.values}


class Barometer(AuditedModel):
    """One class's report for one teaching week; the database allows one only."""

    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="barometers", verbose_name=_("class")
    )
    week = models.PositiveSmallIntegerField(_("week"))
    weather = models.PositiveSmallIntegerField(_("the class's weather"), choices=Weather.choices)
    nothing_to_report = models.BooleanField(_("nothing to report this week"), default=False)
    note = models.TextField(_("note"), blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("filed by"),
    )
    submitted_at = models.DateTimeField(_("first submitted"), default=timezone.now)
    late = models.BooleanField(_("late"), default=False)
    reopened_until = models.DateTimeField(_("reopened until"), null=True, blank=True)

    objects = BarometerQuerySet.as_manager()

    class Meta:
        verbose_name = _("barometer")
        verbose_name_plural = _("barometers")
        ordering = ["-week", "school_class__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["semester", "school_class", "week"], name="barometer_once_a_week"
            ),
            models.CheckConstraint(
                condition=Q(weather__gte=1) & Q(weather__lte=5), name="barometer_weather"
            ),
            models.CheckConstraint(condition=Q(week__gte=1), name="barometer_week"),
            # What the concern rows' copy of the semester and class refers to (0007).
            models.UniqueConstraint(
                fields=["id", "semester", "school_class"], name="barometer_keys_for_concerns"
            ),
        ]
        indexes = [
            # The week board reads one semester's week for every class.
            models.Index(fields=["semester", "week"], name="barometer_semester_week_idx"),
        ]

    def __str__(self):
        return f"{self.school_class} · {_('Week %(n)s') % {'n': self.week}}"

    def editable(self, now=None, deadline=None):
        """Open until the deadline, or while a counselor has reopened it."""
        now = now or timezone.now()
        if self.reopened_until and now <= self.reopened_until:
            return True
        if deadline is None:
            deadline = BarometerSettings.for_school(self.semester.school).deadline(
                self.semester, self.week
            )
        return now <= deadline


class ConcernManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        objs = [obj.copy_barometer_keys() for obj in objs]
        return super().bulk_create(objs, *args, **kwargs)


class BarometerConcern(models.Model):
    barometer = models.ForeignKey(Barometer, on_delete=models.CASCADE, related_name="concerns")
    # The barometer's semester and class, copied: the boards sum a semester's concerns by
    # kind, and through the barometers that is a join of every concern row of the school
    # (6 ms for a 600-class school); on these columns it is one index-only scan (2 ms).
    # Filled from the barometer on every save and bulk insert; on PostgreSQL a foreign
    # key over the three columns (migration 0007) refuses a copy that differs.
    # No index of their own: the two below begin with each (with one, the planner took it
    # for the semester's sum and read the table besides).
    semester = models.ForeignKey(
        Semester, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=16, choices=ConcernKind.choices)
    count = models.PositiveSmallIntegerField(default=0)

    objects = ConcernManager()

    class Meta:
        verbose_name = _("barometer concern count")
        verbose_name_plural = _("barometer concern counts")
        constraints = [
            models.UniqueConstraint(fields=["barometer", "kind"], name="concern_once_per_kind"),
        ]
        indexes = [
            # A semester's concerns are summed over some hundreds of its barometers: with
            # kind and count in the index each is one index-only probe, where the planner
            # otherwise reads every school's concerns (16 ms at 50 schools, 1 ms so).
            models.Index(fields=["barometer"], include=["kind", "count"], name="concern_sum_idx"),
            # The school's semester by kind (school trend): one index-only scan.
            models.Index(
                fields=["semester", "kind"],
                include=["count", "school_class"],
                name="concern_semester_sum_idx",
            ),
            # Some classes' semester (a department, a liaison's classes).
            models.Index(
                fields=["school_class", "semester"],
                include=["kind", "count"],
                name="concern_class_sum_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.count}"

    def save(self, *args, **kwargs):
        self.copy_barometer_keys()
        super().save(*args, **kwargs)

    def copy_barometer_keys(self):
        self.semester_id = self.barometer.semester_id
        self.school_class_id = self.barometer.school_class_id
        return self


class StudentOfConcern(models.Model):
    """Tier 3: who is named, and why, is encrypted; `student_ref` (a keyed hash) lets the
    alert rules follow one student from week to week without a name in clear."""

    barometer = models.ForeignKey(Barometer, on_delete=models.CASCADE, related_name="students")
    student_ref = models.CharField(max_length=64, db_index=True)
    student_id_enc = EncryptedTextField()
    kind = models.CharField(_("kind"), max_length=16, choices=ConcernKind.choices)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    note = EncryptedTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("student of concern")
        verbose_name_plural = _("students of concern")
        constraints = [
            models.UniqueConstraint(
                fields=["barometer", "student_ref"], name="concern_student_once"
            ),
        ]

    def __str__(self):
        # Never the name: this may end up in a log or the admin.
        return f"{self.get_severity_display()} #{self.pk}"

    @property
    def student_pk(self):
        return int(self.student_id_enc)


class ImmediateReport(models.Model):
    """即时报告: one student in danger, reported at any time, straight to the counselors."""

    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="+")
    student_ref = models.CharField(max_length=64, db_index=True)
    student_id_enc = EncryptedTextField()
    note = EncryptedTextField(_("what happened"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("immediate report")
        verbose_name_plural = _("immediate reports")

    def __str__(self):
        return f"#{self.pk} · {self.school_class}"

    @property
    def student_pk(self):
        return int(self.student_id_enc) if self.student_id_enc else None  # purged: none


class CourseSuggestionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Tier 2: counselors, the department's liaison, the class teacher and its members."""
        return self.filter(access_of(user).class_text_q("barometer__school_class"))

    def figures(self):
        """Open, answered and mean answer time (hours) per department, in one query."""
        result = {}
        for department, status, created, answered in self.values_list(
            "department", "status", "created_at", "answered_at"
        ):
            row = result.setdefault(department, {"total": 0, "answered": 0, "hours": []})
            row["total"] += 1
            if status == CourseSuggestion.Status.ANSWERED:
                row["answered"] += 1
                row["hours"].append((answered - created).total_seconds() / 3600)
        for row in result.values():
            hours = row.pop("hours")
            row["open"] = row["total"] - row["answered"]
            row["mean_hours"] = sum(hours) / len(hours) if hours else None
        return result


class CourseSuggestion(models.Model):
    """给专业课建议: from a barometer to the department's liaison, who answers it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ANSWERED = "answered", _("Answered")

    barometer = models.ForeignKey(Barometer, on_delete=models.CASCADE, related_name="suggestions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("suggestion"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    adopted = models.BooleanField(_("adopted"), null=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = CourseSuggestionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("course suggestion")
        verbose_name_plural = _("course suggestions")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(adopted__isnull=False) & ~Q(answer="")),
                name="suggestion_answer_complete",
            )
        ]

    def __str__(self):
        return self.text[:40]


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Alerts name students: counselors only. A class teacher is told of its class's
        alerts by a notification that leaves the names out."""
        access = access_of(user)
        if not access.counselor_school_ids:
            return self.none()
        return self.filter(school__in=access.counselor_school_ids)

    def open(self):
        return self.exclude(status=Alert.Status.CLOSED)

    def figures(self):
        """Raised and closed by grade."""
        rows = self.values("grade").annotate(
            raised=Count("pk"), closed=Count("pk", filter=Q(status=Alert.Status.CLOSED))
        )
        return {row["grade"]: {"raised": row["raised"], "closed": row["closed"]} for row in rows}


class Alert(models.Model):
    """预警: raised once by a rule, owned by a counselor until closed with an outcome."""

    class Rule(models.TextChoices):
        STORM = "storm", _("A class reports a thunderstorm")
        URGENT = "urgent", _("A student marked urgent")
        IMMEDIATE = "immediate", _("An immediate report")
        DROP = "drop", _("A class much worse than its recent average")
        NAMED_MEMBER = "named_member", _("A student named weeks in a row: the member talks to them")
        NAMED_TASK = "named_task", _("A student named weeks in a row: a counselor task")
        NAMED_CASE = "named_case", _("A student still named: open a case or say why not")
        MISSING = "missing", _("A class without a barometer weeks running")
        FIDELITY = "fidelity", _("All sunny while a student has an open alert")

    class Grade(models.TextChoices):
        RED = "red", _("Red")
        ORANGE = "orange", _("Orange")
        YELLOW = "yellow", _("Yellow")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FOLLOWING = "following", _("Following up")
        CLOSED = "closed", _("Closed")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="alerts")
    week = models.PositiveSmallIntegerField(_("week"), null=True, blank=True)
    rule = models.CharField(_("rule"), max_length=16, choices=Rule.choices)
    grade = models.CharField(_("grade"), max_length=8, choices=Grade.choices)
    # What makes this alert the same one again, so that it is raised once, not on every edit.
    key = models.CharField(max_length=200, unique=True)
    barometer = models.ForeignKey(
        Barometer, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts"
    )
    immediate_report = models.OneToOneField(
        ImmediateReport, on_delete=models.PROTECT, null=True, blank=True, related_name="alert"
    )
    student_ref = models.CharField(max_length=64, blank=True, db_index=True)
    student_id_enc = EncryptedTextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counselor"),
    )
    # Tier 3 like the notes: it names referrals (to a hospital, say). Issue 9, finding 3.
    outcome = EncryptedTextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="closed") | ~Q(outcome=""), name="alert_closed_has_outcome"
            )
        ]
        indexes = [
            # The week board marks classes with open alerts.
            models.Index(fields=["school", "status"], name="alert_school_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_grade_display()} · {self.get_rule_display()} · {self.school_class}"

    @property
    def student_pk(self):
        return int(self.student_id_enc) if self.student_id_enc else None


class AlertNote(models.Model):
    """A dated entry in an alert's follow-up log."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("date"), default=timezone.localdate)
    text = EncryptedTextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert follow-up entry")
        verbose_name_plural = _("alert follow-up entries")
        ordering = ["on", "created_at"]

    def __str__(self):
        return f"{self.alert_id} · {self.on}"


class TalkTask(models.Model):
    """The member is asked to talk with a student named two weeks in a row."""

    alert = models.OneToOneField(Alert, on_delete=models.CASCADE, related_name="talk_task")
    member = models.ForeignKey(
        "committees.CommitteeMember", on_delete=models.PROTECT, related_name="talk_tasks"
    )
    done_at = models.DateTimeField(null=True, blank=True)
    note = EncryptedTextField(_("how it went"), blank=True)

    class Meta:
        verbose_name = _("talk task")
        verbose_name_plural = _("talk tasks")

    def __str__(self):
        return f"{self.member} · {self.alert_id}"


class ReminderLog(models.Model):
    """Keys of reminders already sent, so that a job run twice never sends twice."""

    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")

    def __str__(self):
        return self.key
