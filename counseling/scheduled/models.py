"""A beat task's run for one slot (its day): the row that makes it run once."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ScheduledRun(models.Model):
    """One run of one beat task for one slot, claimed by the worker that runs it.

    Beat only sends messages: a beat killed and started again sends the day's message again,
    and a message may arrive twice. The first delivery creates the row and claims it; every
    later one finds it done, or claimed by a live worker, and does nothing.
    """

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("job status", "Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", pgettext_lazy("job status", "Failed")

    task = models.CharField(_("task"), max_length=100)
    # The local day the run is for: the reminders' "tomorrow" is counted from it, so a run
    # re-queued after midnight still reminds of its own day's events.
    slot = models.DateField(_("day"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # When its task was last handed to the broker by reconcile_jobs, or its failed attempt
    # asked for a retry: a waiting run older than the deadline has lost its message.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-slot", "task"]
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="scheduledrun_once_per_slot"),
            models.CheckConstraint(
                condition=~Q(status="running") | Q(started_at__isnull=False),
                name="scheduledrun_running_has_start",
            ),
        ]
        indexes = [
            # reconcile_jobs looks for waiting or running runs past their deadline.
            models.Index(fields=["status", "started_at"], name="scheduledrun_reconcile_idx"),
        ]

    def __str__(self):
        return f"{self.task} {self.slot} ({self.status})"
