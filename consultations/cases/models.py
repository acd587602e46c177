"""Case files: one per student in counseling, with its risk history, notes, plan, referrals,
parent contacts, tasks and the break-the-glass grants that let another counselor read it."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from counseling.crypto import EncryptedTextField
from counseling.models import School, Student
from counseling.permissions import access_of

RATING = [MinValueValidator(1), MaxValueValidator(10)]


class Risk(models.TextChoices):
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    NONE = "none", _("None")


class ReferralService(models.Model):
    """A hospital or centre the school refers students to."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outside service")
        verbose_name_plural = _("outside services")
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """That a case exists and its risk level: every counselor of the school. Its
        content is guarded per case by `Case.readable_by`."""
        return self.filter(school_id__in=access_of(user).counselor_school_ids)

    def open(self):
        return self.filter(closed_at__isnull=True)


class Case(models.Model):
    class Origin(models.TextChoices):
        BOOKING = "booking", _("A booking")
        LETTER = "letter", _("A letter")
        ONLINE = "online", _("An online thread")
        ALERT = "alert", _("A barometer alert")
        TEACHER = "teacher", _("A teacher's referral")
        SELF = "self", _("The student itself")

    class Concern(models.TextChoices):
        STUDY = "study", _("Study")
        RELATIONS = "relations", _("Relationships")
        FAMILY = "family", _("Family")
        MOOD = "mood", _("Mood")
        ADAPTATION = "adaptation", _("Adapting to school")
        OTHER = "other", _("Other")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="+")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counselor"),
    )
    origin = models.CharField(_("came through"), max_length=10, choices=Origin.choices)
    origin_alert = models.ForeignKey(
        "committees.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin_booking = models.ForeignKey(
        "consultations.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    origin_thread = models.ForeignKey(
        "consultations.Thread", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    concern = models.CharField(_("concern"), max_length=12, choices=Concern.choices)
    concerns = EncryptedTextField(_("presenting concerns"), blank=True)
    risk = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    risk_at_opening = models.CharField(max_length=8, choices=Risk.choices)
    risk_at_closing = models.CharField(max_length=8, choices=Risk.choices, blank=True)
    rating_at_opening = models.PositiveSmallIntegerField(
        _("rating at opening (1–10)"), validators=RATING
    )
    rating_at_closing = models.PositiveSmallIntegerField(
        _("rating at closing (1–10)"), validators=RATING, null=True, blank=True
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["closed_at", "-opened_at"]
        constraints = [
            # One open case per student: a new concern goes into the file that is open.
            models.UniqueConstraint(
                fields=["student"], condition=Q(closed_at__isnull=True), name="case_one_open"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(rating_at_closing__isnull=False) & ~Q(risk_at_closing=""),
                name="case_closed_with_rating",
            ),
        ]
        indexes = [
            # The case list and the figures: a school's cases by opening date.
            models.Index(fields=["school", "opened_at"], name="case_school_opened_idx"),
        ]

    def __str__(self):
        return str(_("Case #%(n)s") % {"n": self.pk})

    @property
    def is_open(self):
        return self.closed_at is None

    def readable_by(self, user, now=None):
        """Content is for the assigned counselor and the head counselor; another counselor
        only through a live break-the-glass grant."""
        access = access_of(user)
        if self.school_id not in access.counselor_school_ids:
            return False
        if self.counselor_id == user.pk or self.school_id in access.head_counselor_school_ids:
            return True
        return self.grants.filter(user=user, expires_at__gt=now or timezone.now()).exists()


class RiskChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="risk_changes")
    level = models.CharField(_("risk level"), max_length=8, choices=Risk.choices)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("why"), blank=True)

    class Meta:
        verbose_name = _("change of risk level")
        verbose_name_plural = _("changes of risk level")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class SessionNote(models.Model):
    """A contact with the student (a session, a call), drafted and then signed. A signed
    note is changed only by an amendment (NoteRevision); the database refuses the rest."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        PHONE = "phone", _("Phone call")
        ONLINE = "online", _("Online")
        OTHER = "other", _("Other contact")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SESSION)
    at = models.DateTimeField(_("when"), default=timezone.now)
    body = EncryptedTextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"

    def save(self, *args, **kwargs):
        # The trigger (migration 0003) is the real guard; this one gives a clear error early.
        if self.pk:
            old = SessionNote.objects.filter(pk=self.pk).values("signed_at", "body").first()
            if old and old["signed_at"] is not None:
                raise PermissionError("a signed note changes only by an amendment")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.signed_at:
            raise PermissionError("a signed note cannot be deleted")
        return super().delete(*args, **kwargs)


class NoteRevision(models.Model):
    """An amendment to a signed note, shown under it."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="revisions")
    body = EncryptedTextField(_("amendment"))
    reason = EncryptedTextField(_("why"), blank=True)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("revision of a note")
        verbose_name_plural = _("revisions of notes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class ParentContact(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="parent_contacts")
    at = models.DateTimeField(_("when"), default=timezone.now)
    with_whom = models.CharField(_("with whom"), max_length=60)
    body = EncryptedTextField(_("what was said"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("contact with the parents")
        verbose_name_plural = _("contacts with the parents")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class Referral(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    service = models.ForeignKey(
        ReferralService, on_delete=models.PROTECT, related_name="+", verbose_name=_("where")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    why = EncryptedTextField(_("why"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class ReferralFollowUp(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="follow_ups")
    at = models.DateTimeField(_("when"), default=timezone.now)
    body = EncryptedTextField(_("follow-up"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("follow-up of a referral")
        verbose_name_plural = _("follow-ups of referrals")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class InterventionPlan(models.Model):
    """一生一策: goals, measures, who does what, and when to review."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    goals = EncryptedTextField(_("goals"))
    measures = EncryptedTextField(_("measures"))
    responsibilities = EncryptedTextField(_("who does what"))
    review_on = models.DateField(_("review date"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("intervention plan")
        verbose_name_plural = _("intervention plans")

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class PlanReview(models.Model):
    plan = models.ForeignKey(InterventionPlan, on_delete=models.CASCADE, related_name="reviews")
    at = models.DateTimeField(default=timezone.now)
    body = EncryptedTextField(_("review"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("review of a plan")
        verbose_name_plural = _("reviews of plans")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"


class CounselorTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class CounselorTask(models.Model):
    """Call back, review a plan: a counselor's to-do with a due date, on its home page."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("task"), max_length=120)
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(null=True, blank=True)

    objects = CounselorTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("counselor's task")
        verbose_name_plural = _("counselors' tasks")
        ordering = ["due_on", "pk"]
        indexes = [
            # The home panel: a counselor's open tasks by due date.
            models.Index(fields=["counselor", "done_at", "due_on"], name="task_counselor_due_idx"),
        ]

    def __str__(self):
        return self.title


class BreakGlassGrant(models.Model):
    """Another counselor reads a case for a stated reason, for a few hours; logged, and the
    head counselor is told."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"))
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name = _("emergency access grant")
        verbose_name_plural = _("emergency access grants")
        ordering = ["-granted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("granted_at")), name="grant_expires_later"
            ),
        ]

    def __str__(self):
        return f"{self._meta.model_name} #{self.pk}"
