"""Group counseling activities (团体辅导活动): reusable designs and the sessions run with them."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.models import School, SchoolClass, Semester
from counseling.permissions import access_of
from lectures.events.models import Status, Venue, new_token


class ActivityDesignQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("school"))


class ActivityDesign(AuditedModel):
    """A design a counselor reuses: 汪洋中的一条小船, 接受父母法, 相亲相爱一家人 …"""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=80)
    goal = models.TextField(_("goal"))
    target_group = models.CharField(_("target group"), max_length=120)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    materials = models.TextField(_("materials"), blank=True)
    steps = models.TextField(_("steps"))
    cautions = models.TextField(_("cautions"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ActivityDesignQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity design")
        verbose_name_plural = _("activity designs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="design_unique_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1), name="design_duration_positive"
            ),
        ]

    def __str__(self):
        return self.name


class ActivitySessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(access_of(user).school_q("design__school"))

    def for_semester(self, semester):
        return self.filter(semester=semester)

    def figures(self):
        """Sessions held and participants, by design and by target group."""
        held = self.filter(status=Status.HELD)
        by_design = list(
            held.values("design__name")
            .annotate(sessions=Count("pk"), participants=Sum("participants"))
            .order_by("design__name")
        )
        by_group = list(
            held.values("target_group")
            .annotate(sessions=Count("pk"), participants=Sum("participants"))
            .order_by("target_group")
        )
        return {
            "sessions": held.count(),
            "participants": held.aggregate(n=Sum("participants"))["n"] or 0,
            "by_design": by_design,
            "by_group": by_group,
        }


class ActivitySession(AuditedModel):
    """A group activity run with a design, for a class or a target group."""

    design = models.ForeignKey(
        ActivityDesign, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("design")
    )
    semester = models.ForeignKey(Semester, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_sessions",
        verbose_name=_("venue"),
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("facilitators")
    )
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("class"),
    )
    target_group = models.CharField(
        _("target group"),
        max_length=120,
        blank=True,
        help_text=_("For example: out-of-town first-year students."),
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    what_happened = models.TextField(_("what happened"), blank=True)
    reflection = models.TextField(_("what changed (reflection)"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    feedback_token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)

    objects = ActivitySessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity session")
        verbose_name_plural = _("activity sessions")
        ordering = ["date", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")), name="activity_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(school_class__isnull=False) | ~Q(target_group=""),
                name="activity_has_audience",
            ),
        ]

    def __str__(self):
        return f"{self.design} · {date_format(self.date)}"

    @property
    def audience(self):
        return str(self.school_class) if self.school_class_id else self.target_group
