"""Bookings of a counselor's slot, and requests to talk without a time."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from consultations.hours.models import Channel
from consultations.room.models import ReasonCategory, Room
from counseling.audit import AuditedModel
from counseling.crypto import EncryptedTextField
from counseling.models import School, Student
from counseling.permissions import access_of


class Origin(models.TextChoices):
    STUDENT = "student", _("The student booked")
    REQUEST = "request", _("Answer to a request to talk")
    WALK_IN = "walk_in", _("Walk-in")
    REFERRAL = "referral", _("A teacher's referral")
    ALERT = "alert", _("A barometer alert")


def _student_or_counselor_q(user):
    """Students reach their own rows; counselors the rows of their schools. Nobody else."""
    access = access_of(user)
    if not access.authenticated:
        return Q(pk__in=[])
    q = Q(student__user=user)
    if access.counselor_school_ids:
        q |= Q(school__in=access.counselor_school_ids)
    return q


def _semester_bounds(semester):
    return semester.first_monday, semester.last_day


class BookingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(_student_or_counselor_q(user))

    def active(self):
        return self.filter(status__in=Booking.ACTIVE)

    def open(self):
        """Still ahead: waiting for confirmation or confirmed."""
        return self.filter(status__in=Booking.OPEN)

    def upcoming(self, now):
        return self.open().filter(starts_at__gte=now)

    def for_semester(self, semester):
        """Bookings of the semester's school whose slot falls within the semester."""
        first, last = _semester_bounds(semester)
        return self.filter(
            school_id=semester.school_id,
            starts_at__date__gte=first,
            starts_at__date__lte=last,
        )

    def figures(self):
        """Counts for the semester report: by channel, by status, by category, no-shows."""
        by_channel = dict(
            self.exclude(status__in=[Booking.Status.CANCELLED, Booking.Status.DECLINED])
            .values_list("channel")
            .annotate(n=Count("pk"))
            .order_by()
        )
        by_status = dict(self.values_list("status").annotate(n=Count("pk")).order_by())
        by_category = dict(
            self.filter(status=Booking.Status.ATTENDED)
            .values_list("category__name")
            .annotate(n=Count("pk"))
            .order_by()
        )
        return {
            "total": sum(by_status.values()),
            "by_channel": {c.value: by_channel.get(c.value, 0) for c in Channel},
            "by_status": {s.value: by_status.get(s.value, 0) for s in Booking.Status},
            "by_category": by_category,
            "attended": by_status.get(Booking.Status.ATTENDED, 0),
            "no_shows": by_status.get(Booking.Status.NO_SHOW, 0),
            "cancelled": by_status.get(Booking.Status.CANCELLED, 0),
            "students": self.filter(status=Booking.Status.ATTENDED)
            .values("student")
            .distinct()
            .count(),
        }


class Booking(AuditedModel):
    """One student in one counselor's slot. The reason is tier 3: encrypted, and shown only
    to the assigned counselor and the head counselor."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        # "Attended" alone is the lectures' attendance figure (出勤人次) in Chinese.
        ATTENDED = "attended", pgettext_lazy("booking status", "Attended")
        NO_SHOW = "no_show", _("Did not come")
        CANCELLED = "cancelled", _("Cancelled")
        DECLINED = "declined", _("Declined by the counselor")

    # A slot is taken while its booking is in one of these: the unique constraint below.
    ACTIVE = ("pending", "confirmed", "attended", "no_show")
    OPEN = ("pending", "confirmed")

    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("student")
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="counselor_bookings",
        verbose_name=_("counselor"),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    room = models.ForeignKey(
        Room, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        ReasonCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("what it is about"),
    )
    reason = EncryptedTextField(_("in your own words"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    origin = models.CharField(
        _("how it came"), max_length=10, choices=Origin.choices, default=Origin.STUDENT
    )
    # An alert's id when the booking came from one; no foreign key, since the consultation
    # room does not depend on the committees app.
    alert_id = models.PositiveIntegerField(null=True, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cancel_note = models.CharField(_("why cancelled"), max_length=200, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at"]
        constraints = [
            # The slot rule in the database: one live booking per counselor and start time,
            # whatever the application does and however many try at once.
            models.UniqueConstraint(
                fields=["counselor", "starts_at"],
                condition=Q(status__in=["pending", "confirmed", "attended", "no_show"]),
                name="booking_one_per_slot",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ordered"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | Q(cancelled_at__isnull=False),
                name="booking_cancel_recorded",
            ),
        ]
        indexes = [
            # A counselor's day and week pages, and the reminders of tomorrow.
            models.Index(fields=["school", "starts_at"], name="booking_school_start_idx"),
            models.Index(fields=["student", "status"], name="booking_student_status_idx"),
        ]

    def __str__(self):
        # No name and no reason: this may end up in a log or the admin.
        return f"#{self.pk} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self):
        return self.status in self.OPEN

    def reason_visible_to(self, user):
        """Tier 3: the assigned counselor and the head counselor; the student wrote it."""
        if not user.is_authenticated:
            return False
        access = access_of(user)
        if self.counselor_id == user.pk and self.school_id in access.counselor_school_ids:
            return True
        if self.school_id in access.head_counselor_school_ids:
            return True
        return self.student.user_id == user.pk

    @property
    def duration(self):
        return self.ends_at - self.starts_at

    def cancel_deadline(self, cutoff_hours):
        return self.starts_at - datetime.timedelta(hours=cutoff_hours)


class TalkRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(_student_or_counselor_q(user))

    def open(self):
        return self.filter(status=TalkRequest.Status.OPEN)

    def for_semester(self, semester):
        first, last = _semester_bounds(semester)
        return self.filter(
            school_id=semester.school_id,
            created_at__date__gte=first,
            created_at__date__lte=last,
        )

    def figures(self):
        by_status = dict(self.values_list("status").annotate(n=Count("pk")).order_by())
        return {
            "total": sum(by_status.values()),
            "answered": by_status.get(TalkRequest.Status.ANSWERED, 0),
            "open": by_status.get(TalkRequest.Status.OPEN, 0),
        }


class TalkRequest(AuditedModel):
    """“I want to talk”: a student asks without picking a time; a counselor answers by
    booking a slot for it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a counselor")
        ANSWERED = "answered", _("Answered with a booking")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="talk_requests", verbose_name=_("student")
    )
    channel = models.CharField(
        _("how you would like to talk"), max_length=10, choices=Channel.choices
    )
    category = models.ForeignKey(
        ReasonCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("what it is about"),
    )
    reason = EncryptedTextField(_("in your own words"), blank=True)
    when_suits = models.CharField(
        _("when suits you"),
        max_length=120,
        blank=True,
        help_text=_("For example: Tuesday afternoons."),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    booking = models.OneToOneField(
        Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = TalkRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("request to talk")
        verbose_name_plural = _("requests to talk")
        ordering = ["created_at"]
        constraints = [
            # One open request per student: a second “I want to talk” adds nothing.
            models.UniqueConstraint(
                fields=["student"], condition=Q(status="open"), name="talk_request_one_open"
            ),
        ]

    def __str__(self):
        return f"#{self.pk}"

    def reason_visible_to(self, user):
        """Tier 3: the head counselor (who hands open requests out) and, once answered, the
        counselor it was booked with; the other counselors see the category only."""
        if not user.is_authenticated:
            return False
        access = access_of(user)
        if self.student.user_id == user.pk:
            return True
        if self.school_id in access.head_counselor_school_ids:
            return True
        return bool(
            self.booking
            and self.booking.counselor_id == user.pk
            and self.school_id in access.counselor_school_ids
        )
