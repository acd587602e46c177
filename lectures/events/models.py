"""Lectures given in several sessions, the venues they (and activities, theme-month events) use,
and what each session recorded; the statuses every event goes through."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.models import Department, School, SchoolClass, Semester
from counseling.permissions import access_of
from counseling.uploads import random_name, validate_content

UPLOAD_EXTENSIONS = ["jpg", "jpeg", "png", "pdf", "ppt", "pptx", "doc", "docx"]
UPLOAD_MAX_BYTES = 20 * 1024 * 1024


def validate_upload_size(upload):
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)}
        )


def new_token():
    return secrets.token_urlsafe(16)


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Venue(AuditedModel):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    capacity = models.PositiveIntegerField(_("seats"))
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="venue_unique_name"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="venue_capacity_positive"),
        ]

    def __str__(self):
        return f"{self.name} ({self.capacity})"


class LectureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Lectures are school events: everyone with a role in the school sees them."""
        return self.filter(access_of(user).school_q("school"))

    def for_semester(self, semester):
        return self.filter(semester=semester)

    def figures(self):
        """Lectures and sessions held, and attendance (the semester report's lecture lines)."""
        sessions = LectureSession.objects.filter(lecture__in=self)
        held = sessions.filter(status=Status.HELD)
        return {
            "lectures": self.exclude(status=Status.CANCELLED).count(),
            "lectures_held": self.filter(sessions__status=Status.HELD).distinct().count(),
            "sessions_held": held.count(),
            "attendance": held.aggregate(n=Sum("classes__actual"))["n"] or 0,
            "per_session": list(
                held.order_by("date", "start_time")
                .annotate(n=Sum("classes__actual"))
                .values("pk", "lecture__title", "number", "date", "n")
            ),
        }


class Lecture(AuditedModel):
    """A lecture (讲座) with its audience; given in one or more sessions."""

    class Audience(models.TextChoices):
        SCHOOL = "school", _("The whole school")
        GRADES = "grades", _("Grades")
        DEPARTMENTS = "departments", _("Departments")
        CLASSES = "classes", _("Classes")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    speaker = models.CharField(_("speaker"), max_length=60)
    speaker_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("speaker's account"),
        help_text=_("To remind the speaker the day before."),
    )
    summary = models.TextField(_("summary"), blank=True)
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    audience_years = models.JSONField(
        _("enrolment years"), default=list, blank=True, help_text=_("For a lecture to grades.")
    )
    audience_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name=_("departments")
    )
    audience_classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="+", verbose_name=_("classes")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )

    objects = LectureQuerySet.as_manager()

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["-semester__first_monday", "title"]

    def __str__(self):
        return self.title

    def target_classes(self):
        """The active classes the audience names."""
        classes = SchoolClass.objects.active().filter(department__school=self.school)
        if self.audience == self.Audience.GRADES:
            return classes.filter(enrolment_year__in=self.audience_years or [])
        if self.audience == self.Audience.DEPARTMENTS:
            return classes.filter(department__in=self.audience_departments.all())
        if self.audience == self.Audience.CLASSES:
            return classes.filter(pk__in=self.audience_classes.all())
        return classes


class LectureSession(AuditedModel):
    """One session (场次) of a lecture: a date, a venue, the classes that attend."""

    lecture = models.ForeignKey(Lecture, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("session"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, related_name="lecture_sessions", verbose_name=_("venue")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("notes"), blank=True)
    feedback_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("lecture session")
        verbose_name_plural = _("lecture sessions")
        ordering = ["date", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["lecture", "number"], name="session_number_once"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"
            ),
        ]
        indexes = [
            # The venue check looks for sessions of one venue on one date.
            models.Index(fields=["venue", "date"], name="session_venue_date_idx"),
        ]

    def __str__(self):
        return f"{self.lecture} · {_('Session %(n)s') % {'n': self.number}}"

    @property
    def expected(self):
        return sum(c.expected for c in self.classes.all())

    @property
    def actual(self):
        rows = [c.actual for c in self.classes.all()]
        return sum(r for r in rows if r is not None) if any(r is not None for r in rows) else None


class SessionClass(models.Model):
    """A class attending a session: seats expected (its roster) and, afterwards, present."""

    session = models.ForeignKey(LectureSession, on_delete=models.CASCADE, related_name="classes")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="+")
    expected = models.PositiveIntegerField(_("expected"))
    actual = models.PositiveIntegerField(_("present"), null=True, blank=True)

    class Meta:
        verbose_name = _("class of a session")
        verbose_name_plural = _("classes of sessions")
        ordering = ["school_class__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "school_class"], name="session_class_once"),
        ]

    def __str__(self):
        return f"{self.session} · {self.school_class}"


def session_file_path(instance, filename):
    return random_name(f"lectures/sessions/{instance.session_id}", filename)


class SessionFile(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("Photo")
        SLIDES = "slides", _("Slides")
        OTHER = "other", _("Other")

    session = models.ForeignKey(LectureSession, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(
        _("file"),
        upload_to=session_file_path,
        validators=[
            FileExtensionValidator(UPLOAD_EXTENSIONS),
            validate_upload_size,
            validate_content,
        ],
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session file")
        verbose_name_plural = _("session files")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.title
