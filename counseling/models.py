"""The core: the school network, semesters and their teaching weeks, people and roles."""

import datetime
import re

import rules
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, functions
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.audit.models import AuditEntry
from counseling.exports.models import ExportJob
from counseling.notifications.models import (
    Delivery,
    Notification,
    NotificationPreference,
    WebhookChannel,
)
from counseling.permissions import Access, access_of
from counseling.scheduled.models import ScheduledRun

# The core's features keep their tables in their own models modules (audit/, exports/,
# notifications/, scheduled/); the app's models module names them all, app label and tables
# unchanged.
__all__ = [
    "AuditEntry",
    "Delivery",
    "Department",
    "ExportJob",
    "Notification",
    "NotificationPreference",
    "Role",
    "ScheduledRun",
    "School",
    "SchoolClass",
    "Semester",
    "SemesterBreak",
    "Student",
    "User",
    "WEEKDAYS",
    "WebhookChannel",
]

# date.weekday() numbers, for the choices of a weekly slot (meetings, barometer deadlines).
WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class User(AbstractUser):
    """A person who signs in. Chinese names are one field, not first and last."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set for accounts created with a one-time password."),
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "The language of the portal, e-mails and the calendar feed for this person; "
            "empty: the portal's own (Chinese)."
        ),
    )
    # Raised to end every session of the person at once (a role removed, say); it is part
    # of the session's auth hash, which Django checks on every request, with the database
    # or the cache holding sessions alike.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def get_short_name(self):
        return self.full_name or self.username

    def get_session_auth_hash(self):
        # Epoch 0 keeps Django's own hash, so that adding the field signs no one out.
        if not self.session_epoch:
            return super().get_session_auth_hash()
        # Django's own keyed hash, as its get_session_auth_hash: this one is a session's
        # check value under SECRET_KEY, not a stored reference (counseling.crypto.keyed_hash).
        return salted_hmac(
            "counseling.User.session_epoch",
            f"{self.password}:{self.session_epoch}",
            algorithm="sha256",
        ).hexdigest()

    def end_sessions(self, request=None):
        """End every session of this person; with `request` (theirs), keep that one."""
        type(self).objects.filter(pk=self.pk).update(session_epoch=models.F("session_epoch") + 1)
        self.refresh_from_db(fields=["session_epoch"])
        if request is not None and request.user.pk == self.pk:
            update_session_auth_hash(request, self)

    def has_perm(self, perm, obj=None):
        """The portal's own permissions (rules) are decided by their rules alone.

        Django lets an active superuser pass every check; for these that would let the
        system administrator import rosters or grant counselor roles, which it may not.
        """
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)

    @cached_property
    def access(self):
        """What this user may reach, worked out once per request."""
        return Access(self)


class ActiveQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


def validate_pattern(value):
    try:
        re.compile(value)
    except re.error as exc:
        raise ValidationError(_("Not a valid pattern: %(error)s") % {"error": exc}) from exc


class School(AuditedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    home_region = models.CharField(
        _("home city or province"),
        max_length=100,
        blank=True,
        help_text=_(
            "The school's own city or province, for rosters that give 生源地 instead of 外地生: "
            "a student whose 生源地 names none of these is from out of town. Separate several "
            "names with commas, e.g. 宁波,鄞州."
        ),
    )
    student_number_pattern = models.CharField(
        _("student number pattern"),
        max_length=100,
        blank=True,
        validators=[validate_pattern],
        help_text=_(
            "A regular expression every student number must match, e.g. \\d{10} for ten digits. "
            "Empty: letters and digits, at most 30."
        ),
    )
    second_factor_for_class_staff = models.BooleanField(
        _("class teachers and liaisons use a second factor"),
        default=False,
        help_text=_(
            "Counselors, school administrators and the system administrator always do "
            "when two-factor sign-in is on."
        ),
    )

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["name"]

    def __str__(self):
        return self.name


class DepartmentQuerySet(ActiveQuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).department_q(""))


class Department(AuditedModel):
    """A 专业科: a group of classes of related majors, with a liaison."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="departments", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=60)
    code = models.CharField(_("code"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="department_unique_name"),
        ]

    def __str__(self):
        return self.name


class SchoolClassQuerySet(ActiveQuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).class_q(""))

    def with_student_count(self):
        # A correlated subquery, not a JOIN with GROUP BY: the planner counts only the rows a
        # page keeps after its LIMIT (a 600-class school grouped 30,000 students per page), and
        # the paginator's COUNT(*) drops it.
        students = (
            Student.objects.filter(school_class=models.OuterRef("pk"), is_active=True)
            .order_by()
            .values("school_class")
            .annotate(n=models.Count("pk"))
            .values("n")
        )
        return self.annotate(
            student_count=functions.Coalesce(
                models.Subquery(students, output_field=models.IntegerField()), 0
            )
        )


class SchoolClass(AuditedModel):
    """A 班级. Its grade follows from the enrolment year and the semester."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="classes", verbose_name=_("department")
    )
    name = models.CharField(_("name"), max_length=60)
    enrolment_year = models.PositiveSmallIntegerField(_("enrolment year"))
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="taught_classes",
        verbose_name=_("class teacher"),
    )
    size = models.PositiveSmallIntegerField(
        _("planned size"), null=True, blank=True, help_text=_("Places in the class.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = SchoolClassQuerySet.as_manager()

    class Meta:
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        ordering = ["department__name", "-enrolment_year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="class_unique_name"),
            models.CheckConstraint(
                condition=Q(enrolment_year__gte=2000) & Q(enrolment_year__lte=2100),
                name="class_enrolment_year_range",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def school_id(self):
        return self.department.school_id

    def grade(self, on=None):
        """Year of study (1 for new students) on a date; a school year starts in August."""
        on = on or timezone.localdate()
        school_year = on.year if on.month >= 8 else on.year - 1
        return school_year - self.enrolment_year + 1


class SemesterQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))

    def current(self, school, on=None):
        """The semester that contains the date, else the latest one that began before it."""
        on = on or timezone.localdate()
        started = self.filter(school=school, first_monday__lte=on).order_by("-first_monday")
        for semester in started[:2]:
            if semester.contains(on):
                return semester
        return started.first() or self.filter(school=school).order_by("first_monday").first()


class Semester(AuditedModel):
    """A 学期 of numbered teaching weeks, Monday first; week numbers are never stored."""

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="semesters", verbose_name=_("school")
    )
    name = models.CharField(
        _("name"), max_length=60, help_text=_("For example 2026-2027学年第一学期")
    )
    first_monday = models.DateField(_("first Monday"))
    weeks = models.PositiveSmallIntegerField(_("number of weeks"))

    objects = SemesterQuerySet.as_manager()

    class Meta:
        verbose_name = _("semester")
        verbose_name_plural = _("semesters")
        ordering = ["school", "-first_monday"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="semester_unique_name"),
            models.CheckConstraint(
                condition=Q(weeks__gte=1) & Q(weeks__lte=30), name="semester_weeks_range"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.first_monday and self.first_monday.weekday() != 0:
            raise ValidationError(
                {"first_monday": _("The first day of a semester must be a Monday.")}
            )
        if self.weeks is not None and not 1 <= self.weeks <= 30:
            raise ValidationError({"weeks": _("A semester has between 1 and 30 weeks.")})
        if self.first_monday and self.weeks and self.school_id:
            overlapping = Semester.objects.filter(
                school_id=self.school_id,
                first_monday__lt=self.last_day + datetime.timedelta(days=1),
            ).exclude(pk=self.pk)
            for other in overlapping:
                if other.last_day >= self.first_monday:
                    raise ValidationError(
                        _("This semester overlaps %(other)s.") % {"other": other.name}
                    )

    @property
    def last_day(self):
        return self.first_monday + datetime.timedelta(weeks=self.weeks, days=-1)

    def contains(self, day):
        return self.first_monday <= day <= self.last_day

    def week_of(self, day):
        """Teaching week number (1-based) that contains the date, or None outside the semester."""
        if not self.contains(day):
            return None
        return (day - self.first_monday).days // 7 + 1

    def week_start(self, number):
        if not 1 <= number <= self.weeks:
            raise ValueError(f"week {number} is outside 1..{self.weeks}")
        return self.first_monday + datetime.timedelta(weeks=number - 1)

    def week_end(self, number):
        return self.week_start(number) + datetime.timedelta(days=6)

    @staticmethod
    def is_odd(number):
        return number % 2 == 1

    @cached_property
    def non_teaching_weeks(self):
        """Week numbers covered by a break (holiday, exams)."""
        weeks = set()
        for brk in self.breaks.all():
            weeks.update(range(brk.first_week, brk.last_week + 1))
        return frozenset(w for w in weeks if 1 <= w <= self.weeks)

    def is_teaching_week(self, number):
        return 1 <= number <= self.weeks and number not in self.non_teaching_weeks

    def teaching_weeks(self):
        return [n for n in range(1, self.weeks + 1) if n not in self.non_teaching_weeks]

    def current_week(self, on=None):
        return self.week_of(on or timezone.localdate())

    def teaching_weeks_until(self, day):
        """The teaching weeks up to the one containing `day`: none before the semester, all
        of them after it. What may be filed that day, and where the week board opens."""
        current = self.week_of(day)
        if current is None:
            current = self.weeks if day > self.last_day else 0
        return [w for w in self.teaching_weeks() if w <= current]


class SemesterBreak(models.Model):
    """Weeks of a semester without teaching: a holiday such as 国庆, or exams."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        EXAMS = "exams", _("Exams")
        OTHER = "other", _("Other")

    semester = models.ForeignKey(
        Semester, on_delete=models.CASCADE, related_name="breaks", verbose_name=_("semester")
    )
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    first_week = models.PositiveSmallIntegerField(_("first week"))
    last_week = models.PositiveSmallIntegerField(_("last week"))

    class Meta:
        verbose_name = _("week without teaching")
        verbose_name_plural = _("weeks without teaching")
        ordering = ["first_week"]
        constraints = [
            models.CheckConstraint(
                condition=Q(first_week__gte=1) & Q(last_week__gte=models.F("first_week")),
                name="break_weeks_ordered",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.first_week and self.last_week and self.last_week < self.first_week:
            raise ValidationError(_("The last week cannot come before the first week."))
        if self.semester_id and self.last_week and self.last_week > self.semester.weeks:
            raise ValidationError(
                _("The semester has only %(n)s weeks.") % {"n": self.semester.weeks}
            )


class StudentQuerySet(ActiveQuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).class_q("school_class"))


class Student(AuditedModel):
    class Gender(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="students", verbose_name=_("school")
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="students", verbose_name=_("class")
    )
    student_number = models.CharField(_("student number"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    out_of_town = models.BooleanField(
        _("from out of town"), default=False, help_text=_("Boards away from home.")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
        verbose_name=_("account"),
    )
    is_active = models.BooleanField(_("on the roster"), default=True)

    objects = StudentQuerySet.as_manager()

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "student_number"], name="student_unique_number"
            ),
        ]
        indexes = [
            # The whole-school home counts a school's students on every visit: an
            # index-only scan of this instead of reading 30,000 rows (6 -> 3 ms at a
            # 600-class school).
            models.Index(
                fields=["school"], condition=Q(is_active=True), name="student_active_school_idx"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.student_number})"


class RoleQuerySet(models.QuerySet):
    def current(self):
        today = timezone.localdate()
        return self.filter(
            Q(starts_on__isnull=True) | Q(starts_on__lte=today),
            Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        )

    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))


class Role(AuditedModel):
    """One role of one person, scoped to a school, a department or a class.

    Class teachers are not here: a class names its teacher (SchoolClass.class_teacher),
    so the two can never disagree.
    """

    class Kind(models.TextChoices):
        SCHOOL_ADMIN = "school_admin", _("School administrator")
        COUNSELOR = "counselor", _("Counselor")
        LIAISON = "liaison", _("Department liaison")
        COMMITTEE_MEMBER = "committee_member", _("Committee member")
        STUDENT = "student", _("Student")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="roles", verbose_name=_("school")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("department"),
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="roles",
        verbose_name=_("class"),
    )
    is_head = models.BooleanField(_("head counselor"), default=False)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    objects = RoleQuerySet.as_manager()

    # Which scope each kind needs; mirrored by the check constraint below.
    DEPARTMENT_KINDS = {Kind.LIAISON}
    CLASS_KINDS = {Kind.COMMITTEE_MEMBER, Kind.STUDENT}

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["school", "kind"]
        constraints = [
            models.CheckConstraint(
                name="role_scope_matches_kind",
                condition=(
                    Q(kind="liaison", department__isnull=False, school_class__isnull=True)
                    | Q(
                        kind__in=["committee_member", "student"],
                        school_class__isnull=False,
                        department__isnull=True,
                    )
                    | Q(
                        kind__in=["school_admin", "counselor"],
                        department__isnull=True,
                        school_class__isnull=True,
                    )
                ),
            ),
            models.CheckConstraint(
                name="role_head_is_counselor", condition=Q(is_head=False) | Q(kind="counselor")
            ),
            # One role of a kind per scope; three partial constraints because the
            # scope columns not used by a kind are NULL, and NULLs never clash.
            models.UniqueConstraint(
                fields=["user", "kind", "school"],
                condition=Q(department__isnull=True, school_class__isnull=True),
                name="role_unique_school",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "department"],
                condition=Q(department__isnull=False),
                name="role_unique_department",
            ),
            models.UniqueConstraint(
                fields=["user", "kind", "school_class"],
                condition=Q(school_class__isnull=False),
                name="role_unique_class",
            ),
        ]

    def __str__(self):
        scope = self.school_class or self.department or self.school
        return f"{self.user} · {self.get_kind_display()} · {scope}"

    def clean(self):
        errors = {}
        if self.kind in self.DEPARTMENT_KINDS:
            if not self.department_id:
                errors["department"] = _("A department liaison needs a department.")
            self.school_class = None
        elif self.kind in self.CLASS_KINDS:
            if not self.school_class_id:
                errors["school_class"] = _("This role needs a class.")
            self.department = None
        else:
            self.department = None
            self.school_class = None
        if self.is_head and self.kind != self.Kind.COUNSELOR:
            errors["is_head"] = _("Only a counselor can be the head counselor.")
        if self.department_id and self.school_id and self.department.school_id != self.school_id:
            errors["department"] = _("The department belongs to another school.")
        if (
            self.school_class_id
            and self.school_id
            and self.school_class.department.school_id != self.school_id
        ):
            errors["school_class"] = _("The class belongs to another school.")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A role cannot end before it starts.")
        if errors:
            raise ValidationError(errors)
