"""Publicity: the bulletin board (心理橱窗) and the questions it answers, open letters
(致全体同学的一封信) read out in every class, and theme months with their events, among
them contests judged blind."""

import secrets

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.models import School, SchoolClass, Semester
from counseling.permissions import access_of
from counseling.uploads import random_name, validate_content
from lectures.events.models import UPLOAD_EXTENSIONS, Venue, validate_upload_size


class SchoolScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))

    def for_semester(self, semester):
        return self.filter(semester=semester)


def upload_path(instance, filename):
    return random_name(f"lectures/{instance._meta.model_name}", filename)


class BulletinIssue(AuditedModel):
    """One issue of the 心理橱窗: a theme, its panels, the dates it is shown."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    theme = models.CharField(_("theme"), max_length=120)
    shown_from = models.DateField(_("shown from"))
    shown_until = models.DateField(_("shown until"))

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin board issue")
        verbose_name_plural = _("bulletin board issues")
        ordering = ["-shown_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shown_until__gte=models.F("shown_from")), name="bulletin_dates_ordered"
            ),
        ]

    def __str__(self):
        return self.theme


class BulletinPanel(models.Model):
    issue = models.ForeignKey(BulletinIssue, on_delete=models.CASCADE, related_name="panels")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("text"), blank=True)
    image = models.FileField(
        _("image"),
        upload_to=upload_path,
        blank=True,
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png"]),
            validate_upload_size,
            validate_content,
        ],
    )

    class Meta:
        verbose_name = _("bulletin board panel")
        verbose_name_plural = _("bulletin board panels")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class StudentQuestion(models.Model):
    """A question a student puts to the bulletin board, answered in one of its issues."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"), max_length=2000)
    asked_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_in = models.ForeignKey(
        BulletinIssue,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("answered in"),
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("student question")
        verbose_name_plural = _("student questions")
        ordering = ["-asked_at"]

    def __str__(self):
        return self.question[:40]


class OpenLetter(AuditedModel):
    """致全体同学的一封信: each class's member confirms it was read out in class."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    published_on = models.DateField(_("published on"), default=timezone.localdate)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("open letter")
        verbose_name_plural = _("open letters")
        ordering = ["-published_on"]

    def __str__(self):
        return self.title


class LetterReading(models.Model):
    letter = models.ForeignKey(OpenLetter, on_delete=models.CASCADE, related_name="readings")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("letter reading")
        verbose_name_plural = _("letter readings")
        constraints = [
            models.UniqueConstraint(fields=["letter", "school_class"], name="letter_read_once"),
        ]

    def __str__(self):
        return f"{self.letter} · {self.school_class}"


class ThemeMonth(AuditedModel):
    """心理健康教育主题月: a month with a theme and its events."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"), help_text=_("Any day of the month."))
    theme = models.CharField(_("theme"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("theme month")
        verbose_name_plural = _("theme months")
        ordering = ["-month"]

    def __str__(self):
        return self.theme

    def save(self, *args, **kwargs):
        self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)


class ThemeEvent(AuditedModel):
    class Kind(models.TextChoices):
        CONTEST = "contest", _("Contest")
        SONG = "song", _("Song-learning session")
        TALK = "talk", _("Talk")
        OTHER = "other", _("Other")

    month = models.ForeignKey(ThemeMonth, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"), null=True, blank=True)
    end_time = models.TimeField(_("ends at"), null=True, blank=True)
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.TextField(_("description"), blank=True)
    classes = models.ManyToManyField(
        SchoolClass, blank=True, related_name="+", verbose_name=_("classes taking part")
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)

    class Meta:
        verbose_name = _("theme-month event")
        verbose_name_plural = _("theme-month events")
        ordering = ["date", "start_time"]
        constraints = [
            # Times come as a pair, the end after the start; a venue needs both.
            models.CheckConstraint(
                condition=(Q(start_time__isnull=True) & Q(end_time__isnull=True))
                | Q(
                    start_time__isnull=False,
                    end_time__isnull=False,
                    end_time__gt=models.F("start_time"),
                ),
                name="event_times_paired",
            ),
            models.CheckConstraint(
                condition=Q(venue__isnull=True) | Q(start_time__isnull=False),
                name="event_venue_has_times",
            ),
        ]

    def __str__(self):
        return self.title


class Contest(models.Model):
    """A contest (e.g. 学生心理漫画比赛): entries per class, judged blind on a rubric."""

    event = models.OneToOneField(ThemeEvent, on_delete=models.CASCADE, related_name="contest")
    entries_close_on = models.DateField(_("entries close on"))
    judges = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ContestJudge", related_name="+"
    )

    class Meta:
        verbose_name = _("contest")
        verbose_name_plural = _("contests")

    def __str__(self):
        return str(self.event)


class RubricCriterion(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("criterion"), max_length=60)
    max_points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        ordering = ["order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gte=1), name="criterion_points_positive"
            ),
        ]

    def __str__(self):
        return self.name


class ContestJudge(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE)
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contest judge")
        verbose_name_plural = _("contest judges")
        constraints = [models.UniqueConstraint(fields=["contest", "judge"], name="judge_once")]

    def __str__(self):
        return f"{self.contest} · {self.judge}"


def new_entry_code():
    return secrets.token_hex(3).upper()


class ContestEntry(models.Model):
    """An entry; judges see only its code, never its class or who submitted it."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=8, default=new_entry_code)
    title = models.CharField(_("title"), max_length=120)
    file = models.FileField(
        _("file"),
        upload_to=upload_path,
        validators=[
            FileExtensionValidator(UPLOAD_EXTENSIONS),
            validate_upload_size,
            validate_content,
        ],
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contest entry")
        verbose_name_plural = _("contest entries")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "code"], name="entry_code_unique"),
        ]

    def __str__(self):
        return self.code


class Score(models.Model):
    entry = models.ForeignKey(ContestEntry, on_delete=models.CASCADE, related_name="scores")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.CASCADE, related_name="scores")
    points = models.PositiveSmallIntegerField(_("points"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["entry", "judge", "criterion"], name="score_once"),
        ]

    def __str__(self):
        return f"{self.entry} · {self.points}"


class Award(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="awards")
    entry = models.ForeignKey(ContestEntry, on_delete=models.PROTECT, related_name="awards")
    title = models.CharField(_("award"), max_length=60, help_text=_("For example 一等奖."))
    rank = models.PositiveSmallIntegerField(_("rank"), default=1)

    class Meta:
        verbose_name = _("award")
        verbose_name_plural = _("awards")
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["contest", "entry"], name="award_once_per_entry"),
        ]

    def __str__(self):
        return f"{self.title} · {self.entry}"
