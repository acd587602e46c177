"""网络咨询: a private thread between a student and its counselor, encrypted at rest."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.crypto import EncryptedTextField
from counseling.models import School, Student
from counseling.permissions import access_of


class ThreadQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The student its own threads; the assigned counselor and the head counselor theirs.
        Other counselors, teachers, the principal and the system administrator: none."""
        access = access_of(user)
        if not access.authenticated:
            return self.none()
        q = Q(student__user=user)
        if access.counselor_school_ids:
            q |= Q(counselor=user, school__in=access.counselor_school_ids)
        if access.head_counselor_school_ids:
            q |= Q(school__in=access.head_counselor_school_ids)
        return self.filter(q)

    def for_semester(self, semester):
        """Threads with a message within the semester."""
        return self.filter(
            school_id=semester.school_id,
            messages__created_at__date__gte=semester.first_monday,
            messages__created_at__date__lte=semester.last_day,
        ).distinct()

    def figures(self):
        ids = list(self.values_list("pk", flat=True))
        messages = Message.objects.filter(thread_id__in=ids)
        return {
            "threads": len(ids),
            "students": Thread.objects.filter(pk__in=ids).values("student").distinct().count(),
            "messages": messages.count(),
            "from_counselors": messages.filter(from_counselor=True).count(),
        }

    def with_unread(self, user):
        """Annotate the unread messages of each side (from the other side since it read).

        Ordered here: a query that counts loses the model's default ordering."""
        return self.order_by("-last_message_at", "-pk").annotate(
            unread_student=Count(
                "messages",
                filter=Q(messages__from_counselor=True)
                & (
                    Q(student_read_at__isnull=True)
                    | Q(messages__created_at__gt=models.F("student_read_at"))
                ),
            ),
            unread_counselor=Count(
                "messages",
                filter=Q(messages__from_counselor=False)
                & (
                    Q(counselor_read_at__isnull=True)
                    | Q(messages__created_at__gt=models.F("counselor_read_at"))
                ),
            ),
        )


class Thread(AuditedModel):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+")
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="threads", verbose_name=_("student")
    )
    counselor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="counselor_threads",
        verbose_name=_("counselor"),
    )
    subject = EncryptedTextField(_("subject"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    meeting_link = models.URLField(
        _("video meeting link"),
        blank=True,
        help_text=_("Optional: a link for a video session, set by the counselor."),
    )
    last_message_at = models.DateTimeField(null=True, blank=True, db_index=True)
    student_read_at = models.DateTimeField(null=True, blank=True)
    counselor_read_at = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("online thread")
        verbose_name_plural = _("online threads")
        ordering = ["-last_message_at", "-pk"]
        indexes = [
            # The counselor's inbox: its threads, newest first.
            models.Index(fields=["counselor", "-last_message_at"], name="thread_inbox_idx"),
        ]

    def __str__(self):
        # Never the subject: this may end up in a log or the admin.
        return f"#{self.pk}"


class Message(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_counselor = models.BooleanField(default=False)
    body = EncryptedTextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.pk}"
