"""The consultation room's settings per school: hotlines, opening hours, booking rules,
reason categories and rooms."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.models import School
from counseling.permissions import access_of


class RoomSettings(AuditedModel):
    """One row per school; `for_school` makes it with the defaults on first use."""

    class NoShowRule(models.TextChoices):
        COUNSELOR_BOOKS = "counselor_books", _("Only a counselor can book for the student")
        NOTHING = "nothing", _("Nothing follows; the counselors are told")

    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="room_settings", verbose_name=_("school")
    )
    hotlines = models.TextField(
        _("hotlines"),
        blank=True,
        default="",
        help_text=_("One per line: who answers, then the number."),
    )
    answer_hours = models.TextField(
        _("when the room answers"),
        blank=True,
        default="",
        help_text=_("For example: Monday to Friday, 8:30 to 17:00, not in holidays."),
    )
    emergency_text = models.TextField(
        _("in an emergency"),
        blank=True,
        default="",
        help_text=_("What a student should do at once when it is in danger."),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=50)
    min_notice_hours = models.PositiveSmallIntegerField(
        _("earliest booking (hours ahead)"), default=2
    )
    days_ahead = models.PositiveSmallIntegerField(_("bookable days ahead"), default=14)
    max_open_bookings = models.PositiveSmallIntegerField(_("open bookings per student"), default=2)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(
        _("cancel up to (hours before)"), default=12
    )
    no_show_limit = models.PositiveSmallIntegerField(
        _("no-shows in a semester before the rule applies"), default=2
    )
    no_show_rule = models.CharField(
        _("after repeated no-shows"),
        max_length=20,
        choices=NoShowRule.choices,
        default=NoShowRule.COUNSELOR_BOOKS,
    )
    closed_in_breaks = models.BooleanField(_("closed in the weeks without teaching"), default=True)

    class Meta:
        verbose_name = _("consultation room settings")
        verbose_name_plural = _("consultation room settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=10) & Q(slot_minutes__lte=240),
                name="room_slot_minutes_range",
            ),
            models.CheckConstraint(
                condition=Q(days_ahead__gte=1) & Q(days_ahead__lte=120),
                name="room_days_ahead_range",
            ),
            models.CheckConstraint(
                condition=Q(max_open_bookings__gte=1), name="room_max_open_bookings_positive"
            ),
            models.CheckConstraint(
                condition=Q(no_show_limit__gte=1), name="room_no_show_limit_positive"
            ),
        ]

    def __str__(self):
        return str(self.school)

    def clean(self):
        if self.slot_minutes is not None and not 10 <= self.slot_minutes <= 240:
            raise ValidationError({"slot_minutes": _("A slot lasts 10 to 240 minutes.")})
        if self.days_ahead is not None and not 1 <= self.days_ahead <= 120:
            raise ValidationError({"days_ahead": _("Between 1 and 120 days.")})

    @classmethod
    def for_school(cls, school):
        obj, _created = cls.objects.get_or_create(school=school)
        return obj

    def hotline_list(self):
        """[(who, number)] from the text, one per line; a line without a number is kept whole."""
        rows = []
        for line in self.hotlines.splitlines():
            line = line.strip()
            if not line:
                continue
            for sep in ("：", ":", "\t"):
                if sep in line:
                    who, number = line.split(sep, 1)
                    rows.append((who.strip(), number.strip()))
                    break
            else:
                rows.append((line, ""))
        return rows


class SchoolScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Counselors of the school manage these; students of the school pick from them."""
        access = access_of(user)
        schools = access.counselor_school_ids | {
            r.school_id for r in access.roles if r.kind == "student"
        }
        return self.filter(school__in=schools)

    def active(self):
        return self.filter(is_active=True)


class ReasonCategory(AuditedModel):
    """A concern category the school keeps (学习压力, 人际关系 …); a booking picks one."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reason category")
        verbose_name_plural = _("reason categories")
        ordering = ["school", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="reason_category_unique"),
        ]

    def __str__(self):
        return self.name


class Room(AuditedModel):
    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=60)
    location = models.CharField(_("where"), max_length=120, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="room_unique_name"),
        ]

    def __str__(self):
        return self.name
