"""书信咨询: letters to the consultation room, signed or anonymous, and the crisis word list."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.crypto import EncryptedTextField
from counseling.models import School, Student
from counseling.permissions import access_of


class CrisisWordQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(school_id__in=access_of(user).counselor_school_ids)


class CrisisWord(models.Model):
    """A word or phrase the counselors keep: a letter containing it raises a red alert."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    word = models.CharField(_("word or phrase"), max_length=40)

    objects = CrisisWordQuerySet.as_manager()

    class Meta:
        verbose_name = _("crisis word")
        verbose_name_plural = _("crisis words")
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["school", "word"], name="crisis_word_unique"),
        ]

    def __str__(self):
        return self.word


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Letters are tier 3: the school's counselors only."""
        return self.filter(school_id__in=access_of(user).counselor_school_ids)

    def unanswered(self):
        return self.filter(replied_at__isnull=True)

    def overdue(self, now=None):
        return self.unanswered().filter(due_at__lt=now or timezone.now())


class Letter(models.Model):
    """A letter to the room. An anonymous one carries nothing of its writer: no user, no
    address, no device; only a keyed hash of the pick-up code the writer was shown once."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    # Set only for a signed letter; an anonymous one has no way back to its writer.
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body = EncryptedTextField(_("letter"))
    pickup_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    publish_consent = models.BooleanField(
        _("may be shown on the bulletin board without my name"), default=False
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("reply due"))
    is_crisis = models.BooleanField(_("crisis"), default=False)
    reply = EncryptedTextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    replied_at = models.DateTimeField(_("answered"), null=True, blank=True)
    case = models.ForeignKey(
        "consultations.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="letters",
    )
    published = models.BooleanField(_("on the bulletin board"), default=False)

    objects = LetterQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["replied_at", "due_at"]
        constraints = [
            # A letter is signed (a student) or anonymous (a pick-up code), never both.
            models.CheckConstraint(
                condition=Q(student__isnull=True, pickup_hash__isnull=False)
                | Q(student__isnull=False, pickup_hash__isnull=True),
                name="letter_signed_or_code",
            ),
            models.CheckConstraint(
                condition=Q(publish_consent=True) | Q(published=False),
                name="letter_published_with_consent",
            ),
        ]
        indexes = [
            # The counselors' letter list: a school's unanswered letters by deadline.
            models.Index(fields=["school", "replied_at", "due_at"], name="letter_school_due_idx"),
        ]

    def __str__(self):
        return str(_("Letter #%(n)s") % {"n": self.pk})

    @property
    def is_anonymous(self):
        return self.student_id is None

    @property
    def answered_on_time(self):
        return self.replied_at is not None and self.replied_at <= self.due_at

    def time_left(self, now=None):
        """What remains until the deadline (negative once late); None once answered."""
        if self.replied_at:
            return None
        return self.due_at - (now or timezone.now())

    @staticmethod
    def deadline(received_at):
        return received_at + datetime.timedelta(days=settings.LETTER_REPLY_DAYS)
