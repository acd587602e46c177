"""The export job: one row per distinct request, the file it made, and how it went."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from counseling.permissions import access_of


def export_upload_to(job, filename):
    # A random name: the file is reached only through the checked download view.
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"exports/{secrets.token_urlsafe(24)}.{ext}"


class ExportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Jobs of the user's schools that the user asked for, or shared ones (one file for
        everyone, e.g. a submitted report); the exporter's own check comes on top."""
        access = access_of(user)
        if not access.authenticated or not access.school_ids:
            return self.none()
        return self.filter(
            Q(school__in=access.school_ids) & (Q(requested_by=user) | Q(shared=True))
        )


class ExportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("job status", "Waiting")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    exporter = models.CharField(_("export"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict)
    # sha256 of the exporter and its identity: identical requests share one row and one file.
    fingerprint = models.CharField(max_length=64)
    school = models.ForeignKey(
        "counseling.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    shared = models.BooleanField(default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    file = models.FileField(_("file"), upload_to=export_upload_to, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # When a task was last handed to the broker for it: a waiting job whose task is older
    # than the reconciler's deadline was lost with the queue (reconcile_jobs).
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["fingerprint"], name="exportjob_unique_request"),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(file=""), name="exportjob_done_has_file"
            ),
        ]
        indexes = [
            # reconcile_jobs looks for waiting or running jobs past their deadline.
            models.Index(fields=["status", "queued_at"], name="exportjob_reconcile_idx"),
        ]

    def __str__(self):
        return f"{self.exporter} #{self.pk} ({self.status})"

    @property
    def is_ready(self):
        return self.status == self.Status.DONE and bool(self.file)
