"""Each counselor's weekly hours and the exceptions to them; slots are derived, not stored."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from consultations.room.models import Room, SchoolScopedQuerySet
from counseling.audit import AuditedModel
from counseling.models import WEEKDAYS, School
from counseling.permissions import access_of


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    ONLINE = "online", _("Online")


class CounselorHoursQuerySet(SchoolScopedQuerySet):
    """Hours are no secret: the school's counselors and its students see them."""

    def on(self, day):
        """The hours that apply on a date (its weekday, within their validity)."""
        return self.active().filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
            weekday=day.weekday(),
        )


class CounselorHours(AuditedModel):
    """A weekly block: every <weekday> from <start> to <end> in <room>, with its channels."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="consultation_hours",
        verbose_name=_("counselor"),
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("until"))
    room = models.ForeignKey(
        Room,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("room"),
    )
    in_person = models.BooleanField(_("in person"), default=True)
    phone = models.BooleanField(_("phone"), default=True)
    online = models.BooleanField(_("online"), default=False)
    valid_from = models.DateField(_("from date"), null=True, blank=True)
    valid_until = models.DateField(_("until date"), null=True, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CounselorHoursQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselor's hours")
        verbose_name_plural = _("counselors' hours")
        ordering = ["counselor", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="hours_ordered"),
            models.CheckConstraint(
                condition=Q(in_person=True) | Q(phone=True) | Q(online=True),
                name="hours_offer_a_channel",
            ),
        ]
        indexes = [
            # Slots for a day: the school's active hours on one weekday.
            models.Index(fields=["school", "weekday"], name="hours_school_weekday_idx"),
        ]

    def __str__(self):
        return f"{self.counselor} · {self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"

    def clean(self):
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The hours must end after they start.")})
        if not (self.in_person or self.phone or self.online):
            raise ValidationError(_("Offer at least one channel."))
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end date comes before the start date.")})

    @property
    def channels(self):
        return [c for c in Channel if getattr(self, c.value)]


class HoursExceptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Why a counselor is away is the counselors' business (leave is personal)."""
        return self.filter(school__in=access_of(user).counselor_school_ids)

    def overlapping(self, first_day, last_day):
        return self.filter(starts_on__lte=last_day, ends_on__gte=first_day)


class HoursException(AuditedModel):
    """Days without consultation hours: one counselor's leave, or (no counselor) the room's."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("Leave")
        HOLIDAY = "holiday", _("Holiday")
        OTHER = "other", _("Other")

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("counselor"),
        help_text=_("Leave empty when the whole room is closed."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LEAVE)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    note = models.CharField(_("note"), max_length=120, blank=True)

    objects = HoursExceptionQuerySet.as_manager()

    class Meta:
        verbose_name = _("exception to the hours")
        verbose_name_plural = _("exceptions to the hours")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="hours_exception_ordered"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on}–{self.ends_on}"

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day comes before the first day.")})
