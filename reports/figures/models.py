"""A school's semester figures as last counted: what the home and figures pages show.

Counting a semester is some seventy queries over every app's tables; the pages that only
show the figures read this row instead (one query), and a background task counts again
after the writes that change them (reports.figures.snapshots). A submitted report never
reads it: it freezes figures counted at that moment.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FigureSnapshot(models.Model):
    semester = models.OneToOneField(
        "counseling.Semester",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("semester"),
    )
    # The semester's school, kept here so that a write at a school finds its rows in one
    # indexed update without a join.
    school = models.ForeignKey(
        "counseling.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("school")
    )
    # FigureSet.as_snapshot(): exact values; readers suppress small counts when shown.
    data = models.JSONField(_("figures"))
    counted_at = models.DateTimeField(_("counted"))
    # The first write since counted_at that may change the figures; None when none.
    changed_at = models.DateTimeField(_("changed"), null=True, blank=True)

    class Meta:
        verbose_name = _("figure snapshot")
        verbose_name_plural = _("figure snapshots")
        indexes = [models.Index(fields=["school", "changed_at"], name="figuresnapshot_school_idx")]

    def __str__(self):
        return f"{self.semester_id} @ {self.counted_at:%Y-%m-%d %H:%M}"
