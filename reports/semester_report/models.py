"""The semester work report: one per school and semester, written in versions.

A draft's text names figures by placeholder (`〔lectures.sessions〕`), resolved against the
live figures each time it is shown, so a sentence never drifts from the data. Submitting
freezes a version: its figures are kept as a snapshot and its text and PDF never change
again (refused here and, on PostgreSQL and SQLite, by a trigger below the application). A
revision is a new draft; earlier versions stay readable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counseling.audit import AuditedModel
from counseling.errors import PortalError
from counseling.permissions import access_of


class ReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Counselors and the school administrator of the school; nobody else, the system
        administrator included (DESIGN.md: it sees none of the content)."""
        access = access_of(user)
        return self.filter(school__in=access.whole_school_ids)


class Report(AuditedModel):
    school = models.ForeignKey(
        "counseling.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school")
    )
    semester = models.ForeignKey(
        "counseling.Semester",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("semester"),
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("semester report")
        verbose_name_plural = _("semester reports")
        constraints = [
            models.UniqueConstraint(fields=["school", "semester"], name="report_unique_semester")
        ]

    def __str__(self):
        return f"{self.school} · {self.semester}"


class ReportVersionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Every version for the school's counselors; the submitted ones for its school
        administrator (a draft is the counselors' work in progress)."""
        access = access_of(user)
        q = Q(pk__in=[])
        if access.counselor_school_ids:
            q |= Q(report__school__in=access.counselor_school_ids)
        if access.school_admin_school_ids:
            q |= Q(
                report__school__in=access.school_admin_school_ids,
                status=ReportVersion.Status.SUBMITTED,
            )
        return self.filter(q)

    def submitted(self):
        return self.filter(status=ReportVersion.Status.SUBMITTED)


class ReportVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report")
    )
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    # [{"heading": str, "body": str}, ...]: the narrative, in order.
    sections = models.JSONField(_("sections"), default=list)
    # FigureSet.as_snapshot() taken at submission; None while a draft.
    figures = models.JSONField(_("figures"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="reportversion_unique"),
            # One draft at a time: a revision continues the draft rather than forking it.
            models.UniqueConstraint(
                fields=["report"], condition=Q(status="draft"), name="reportversion_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(figures__isnull=False, submitted_at__isnull=False),
                name="reportversion_submitted_is_frozen",
            ),
        ]

    def __str__(self):
        return f"{self.report} · v{self.number}"

    def save(self, *args, **kwargs):
        """A submitted version is never written again (the database refuses it too)."""
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == self.Status.SUBMITTED:
                raise PortalError("version_frozen", _("A submitted version cannot be changed."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.status == self.Status.SUBMITTED:
            raise PortalError("version_frozen", _("A submitted version cannot be deleted."))
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    def figure_set(self):
        """The frozen figures of a submitted version, the live ones of a draft."""
        from reports.figures import FigureSet, gather

        if self.figures is not None:
            return FigureSet.from_snapshot(self.figures)
        return gather(self.report.school, self.report.semester)
