"""The committee network: class psych committee members (心理委员), their association,
odd-week meetings (单周例会) and even-week trainings (双周培训) with attendance."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.models import Department, School, SchoolClass, Semester, Student
from counseling.permissions import access_of
from counseling.uploads import random_name, validate_content


class CommitteeMemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Counselors and whole-school viewers see all; liaisons and teachers their classes;
        a member its own rows."""
        access = access_of(user)
        q = access.class_q("school_class")
        if access.student_id is not None:
            q |= Q(student_id=access.student_id)
        return self.filter(q)

    def active(self):
        return self.filter(ended_on__isnull=True)

    def for_semester(self, semester):
        return self.filter(semester=semester)

    def figures(self):
        """Members appointed and classes covered (the semester report's first figures)."""
        return self.active().aggregate(
            members=Count("pk"), classes=Count("school_class", distinct=True)
        )


class CommitteeMember(AuditedModel):
    """A student serving as its class's committee member in one semester.

    A term usually spans several semesters: carrying members over creates a row per
    semester, so each semester's network is complete on its own and history is kept.
    """

    MAX_PER_CLASS = 2

    semester = models.ForeignKey(
        Semester, on_delete=models.PROTECT, related_name="+", verbose_name=_("semester")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="committee_members",
        verbose_name=_("class"),
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("student")
    )
    appointed_on = models.DateField(_("appointed on"), default=timezone.localdate)
    term_ends_on = models.DateField(
        _("term ends on"),
        null=True,
        blank=True,
        help_text=_("Usually two years after appointment."),
    )
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("replaced by"),
    )

    objects = CommitteeMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("committee member")
        verbose_name_plural = _("committee members")
        ordering = ["school_class__department__name", "school_class__name", "appointed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["semester", "student"], name="member_once_per_semester"
            ),
        ]
        indexes = [
            # The members page lists one semester's active members class by class.
            models.Index(fields=["semester", "school_class"], name="member_semester_class_idx"),
        ]

    def __str__(self):
        return f"{self.student.name} · {self.school_class}"

    @property
    def is_active(self):
        return self.ended_on is None

    def clean(self):
        if self.student_id and self.school_class_id:
            if self.student.school_class_id != self.school_class_id:
                raise ValidationError(_("The student is not on this class's roster."))


class OfficerQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))

    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))


class AssociationOfficer(AuditedModel):
    """An officer of the committee association (心理委员协会), chosen from the members."""

    class Position(models.TextChoices):
        CHAIR = "chair", _("Chair")
        VICE_CHAIR = "vice_chair", _("Vice chair")
        SECRETARY = "secretary", _("Secretary")
        DEPARTMENT_REP = "department_rep", _("Department representative")
        PUBLICITY = "publicity", _("Publicity officer")
        OTHER = "other", _("Officer")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="offices", verbose_name=_("student")
    )
    position = models.CharField(_("position"), max_length=20, choices=Position.choices)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department represented"),
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = OfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("association officer")
        verbose_name_plural = _("association officers")
        ordering = ["position", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="officer_term_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(position="department_rep") | Q(department__isnull=False),
                name="officer_rep_has_department",
            ),
        ]

    def __str__(self):
        return f"{self.get_position_display()} · {self.student.name}"

    def clean(self):
        if self.position == self.Position.DEPARTMENT_REP and not self.department_id:
            raise ValidationError(
                {"department": _("A department representative needs a department.")}
            )
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A term cannot end before it starts.")})


class TrainingModuleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))


class TrainingModule(AuditedModel):
    """One module of the curriculum the counselors keep for committee member training."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = TrainingModuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["order", "title"]
        constraints = [
            models.UniqueConstraint(fields=["school", "title"], name="module_unique_title"),
        ]

    def __str__(self):
        return self.title


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Everyone in the school's committee network sees the schedule."""
        return self.filter(access_of(user).school_q("semester__school"))

    def for_semester(self, semester):
        return self.filter(semester=semester)

    def meetings(self):
        return self.filter(kind=Meeting.Kind.MEETING)

    def trainings(self):
        return self.filter(kind=Meeting.Kind.TRAINING)

    def figures(self):
        """Meetings and trainings planned and held (the report's schedule figures)."""
        counts = {}
        for kind in Meeting.Kind.values:
            of_kind = Q(kind=kind)
            counts[kind] = self.aggregate(
                planned=Count("pk", filter=of_kind & ~Q(status=Meeting.Status.CANCELLED)),
                held=Count("pk", filter=of_kind & Q(status=Meeting.Status.HELD)),
                cancelled=Count("pk", filter=of_kind & Q(status=Meeting.Status.CANCELLED)),
            )
        return counts


class Meeting(AuditedModel):
    """A committee meeting (odd weeks) or training (even weeks) on one date.

    Its teaching week and the week's parity follow from the date and the semester.
    """

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        TRAINING = "training", _("Training")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    semester = models.ForeignKey(
        Semester, on_delete=models.PROTECT, related_name="+", verbose_name=_("semester")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=100)
    topic = models.CharField(_("topic"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    modules = models.ManyToManyField(
        TrainingModule, blank=True, related_name="trainings", verbose_name=_("training modules")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting or training")
        verbose_name_plural = _("meetings and trainings")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="meeting_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="meeting_cancel_has_reason",
            ),
        ]
        indexes = [
            # The schedule and the day-before reminder both look meetings up by date.
            models.Index(fields=["semester", "date"], name="meeting_semester_date_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {date_format(self.date)}"

    @property
    def week(self):
        return self.semester.week_of(self.date)

    @property
    def starts_at(self):
        return timezone.make_aware(datetime.datetime.combine(self.date, self.start_time))

    def clean(self):
        errors = {}
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("A meeting must end after it starts.")
        if self.semester_id and self.date and not self.semester.contains(self.date):
            errors["date"] = _("The date is outside the semester.")
        if self.status == self.Status.CANCELLED and not self.cancel_reason:
            errors["cancel_reason"] = _("Say why it is cancelled.")
        if errors:
            raise ValidationError(errors)


class MinutesRevision(models.Model):
    """Minutes are never overwritten: each save is a new revision, the latest is current."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="minutes")
    text = models.TextField(_("minutes"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")

    def __str__(self):
        return f"{self.meeting} · {self.created_at:%Y-%m-%d %H:%M}"


MATERIAL_EXTENSIONS = ["pdf", "doc", "docx", "ppt", "pptx", "xls", "xlsx", "jpg", "jpeg", "png"]
MATERIAL_MAX_BYTES = 20 * 1024 * 1024


def validate_material_size(upload):
    if upload.size > MATERIAL_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": MATERIAL_MAX_BYTES // (1024 * 1024)}
        )


def material_path(instance, filename):
    return random_name(f"committees/meetings/{instance.meeting_id}", filename)


class Material(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(
        _("file"),
        upload_to=material_path,
        validators=[
            FileExtensionValidator(MATERIAL_EXTENSIONS),
            validate_material_size,
            validate_content,
        ],
    )
    size = models.PositiveIntegerField(default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self):
        return self.title


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        access = access_of(user)
        q = access.class_q("member__school_class")
        if access.student_id is not None:
            q |= Q(member__student_id=access.student_id)
        return self.filter(q)

    def counted(self):
        """Attendance at meetings that took place (cancelled and planned ones don't count)."""
        return self.filter(meeting__status=Meeting.Status.HELD)

    def rates(self):
        """(overall, by department, by class, by member) as overall() and rate_by() give
        them, from one grouped query per member: at 50 schools four queries each joined the
        same rows again (12 ms of a 33 ms page)."""
        fields = ("member", "member__school_class", "member__school_class__department")
        per_member = list(self.rate_by(*fields))
        totals = {}
        for row in per_member:
            for key in (
                ("department", row["member__school_class__department"]),
                ("class", row["member__school_class"]),
                ("overall", None),
            ):
                total = totals.setdefault(key, {"expected": 0, "attended": 0})
                total["expected"] += row["expected"]
                total["attended"] += row["attended"]
        for total in totals.values():
            total["rate"] = total["attended"] / total["expected"] if total["expected"] else None

        def rolled(level, field):
            keys = sorted(pk for kind, pk in totals if kind == level)
            return [{field: pk, **totals[(level, pk)]} for pk in keys]

        counts = ("expected", "attended", "rate")
        return (
            totals.get(("overall", None), {"expected": 0, "attended": 0, "rate": None}),
            rolled("department", fields[2]),
            rolled("class", fields[1]),
            [{"member": row["member"], **{k: row[k] for k in counts}} for row in per_member],
        )

    def overall(self):
        """Held/attended counts and the rate over the whole queryset."""
        attended = Q(status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
        row = self.counted().aggregate(expected=Count("pk"), attended=Count("pk", filter=attended))
        row["rate"] = row["attended"] / row["expected"] if row["expected"] else None
        return row

    def modules_completed(self):
        """(member id, module id) pairs: trainings held with the module, attended."""
        return (
            self.counted()
            .filter(status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
            .filter(meeting__kind=Meeting.Kind.TRAINING, meeting__modules__isnull=False)
            .values_list("member_id", "meeting__modules")
            .distinct()
        )

    def rate_by(self, *fields):
        """Rows of `fields` with held/attended counts and the rate; attended = present or late."""
        attended = Q(status__in=[Attendance.Status.PRESENT, Attendance.Status.LATE])
        rows = (
            self.counted()
            .values(*fields)
            .annotate(expected=Count("pk"), attended=Count("pk", filter=attended))
            .order_by(*fields)
        )
        for row in rows:
            row["rate"] = row["attended"] / row["expected"] if row["expected"] else None
        return rows


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        EXCUSED = "excused", _("Excused")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once"),
            models.CheckConstraint(
                condition=~Q(status="excused") | ~Q(reason=""), name="attendance_excused_reason"
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_status_display()}"


class MissedTwiceFlag(models.Model):
    """Raised once when a member misses two meetings in a row; the second miss names it."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="flags")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("missed-twice flag")
        verbose_name_plural = _("missed-twice flags")
        constraints = [
            models.UniqueConstraint(fields=["member", "meeting"], name="flag_once"),
        ]

    def __str__(self):
        return f"{self.member} · {self.meeting}"
