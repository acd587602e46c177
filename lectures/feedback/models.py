"""Anonymous feedback on a lecture session or an activity session, from a QR code."""

from django.db import models
from django.db.models import Avg, Count, F, Q, Sum
from django.utils.translation import gettext_lazy as _

from lectures.activities.models import ActivitySession
from lectures.events.models import LectureSession


class FeedbackQuerySet(models.QuerySet):
    def for_semester(self, semester):
        return self.filter(
            Q(lecture_session__lecture__semester=semester) | Q(activity_session__semester=semester)
        )

    def for_lecture(self, lecture):
        return self.filter(lecture_session__lecture=lecture)

    def summary(self):
        """Average, count and the 1–5 distribution, in one query."""
        counts = {f"n{n}": Count("pk", filter=Q(satisfaction=n)) for n in range(1, 6)}
        data = self.aggregate(average=Avg("satisfaction"), count=Count("pk"), **counts)
        data["distribution"] = {n: data.pop(f"n{n}") or 0 for n in range(1, 6)}
        return data

    def by_lecture(self):
        """Answers and the average per lecture (all its sessions together)."""
        return list(
            self.filter(lecture_session__isnull=False)
            .values(
                lecture=F("lecture_session__lecture"), title=F("lecture_session__lecture__title")
            )
            .annotate(answers=Count("pk"), average=Avg("satisfaction"), total=Sum("satisfaction"))
            .order_by("title", "lecture")
        )

    def by_design(self):
        """Answers and the average per activity design."""
        return list(
            self.filter(activity_session__isnull=False)
            .values(design=F("activity_session__design"), name=F("activity_session__design__name"))
            .annotate(answers=Count("pk"), average=Avg("satisfaction"), total=Sum("satisfaction"))
            .order_by("name", "design")
        )

    def figures(self):
        """Feedback for the semester report: answers, the average, per lecture and design."""
        overall = self.aggregate(answers=Count("pk"), average=Avg("satisfaction"))
        return {**overall, "by_lecture": self.by_lecture(), "by_design": self.by_design()}

    def semester_figures(self, semester, *, lectures=None, activity_sessions=None):
        """figures() of a semester (of some of its lectures and activity sessions), two
        queries. Each kind is read through its own semester's sessions: for_semester()'s
        OR over both joins reads every school's feedback, slower the bigger the database."""
        on_lectures = self.filter(lecture_session__lecture__semester=semester)
        on_activities = self.filter(activity_session__semester=semester)
        if lectures is not None:
            on_lectures = on_lectures.filter(lecture_session__lecture__in=lectures)
        if activity_sessions is not None:
            on_activities = on_activities.filter(activity_session__in=activity_sessions)
        by_lecture = on_lectures.by_lecture()
        by_design = on_activities.by_design()
        rows = by_lecture + by_design
        answers = sum(r["answers"] for r in rows)
        total = sum(r["total"] or 0 for r in rows)
        return {
            "answers": answers,
            "average": total / answers if answers else None,
            "by_lecture": by_lecture,
            "by_design": by_design,
        }


class Feedback(models.Model):
    """No names, no accounts: a device fingerprint (a keyed hash of a random cookie) keeps
    it to one answer per device per session, and a device signal (a keyed hash of the
    address and the browser string, never either in clear) caps the answers of one device
    that throws its cookie away (settings.FEEDBACK_MAX_PER_SIGNAL)."""

    lecture_session = models.ForeignKey(
        LectureSession, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    activity_session = models.ForeignKey(
        ActivitySession, on_delete=models.CASCADE, null=True, blank=True, related_name="feedback"
    )
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"))
    helped = models.TextField(_("what helped me"), blank=True, max_length=1000)
    wish = models.TextField(_("what I would like next"), blank=True, max_length=1000)
    device = models.CharField(max_length=64)
    signal = models.CharField(max_length=64, blank=True, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback entries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__gte=1) & Q(satisfaction__lte=5),
                name="feedback_satisfaction_range",
            ),
            models.CheckConstraint(
                condition=Q(lecture_session__isnull=False, activity_session__isnull=True)
                | Q(lecture_session__isnull=True, activity_session__isnull=False),
                name="feedback_one_target",
            ),
            models.UniqueConstraint(
                fields=["lecture_session", "device"], name="feedback_once_lecture"
            ),
            models.UniqueConstraint(
                fields=["activity_session", "device"], name="feedback_once_activity"
            ),
        ]

    def __str__(self):
        return f"{self.satisfaction}/5"
