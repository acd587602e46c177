"""Crisis steps: the checklist a school configures, opened when a case turns red."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from counseling.models import School


class CrisisStep(models.Model):
    """One step of the school's crisis checklist (tell the head counselor, the parents...)."""

    class Notify(models.TextChoices):
        NONE = "", _("Nobody")
        HEAD = "head", _("The head counselor")
        TEACHER = "teacher", _("The class teacher")

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("step"), max_length=120)
    # Ticking the step tells this person at once (the teacher gets the minimum only).
    notifies = models.CharField(
        _("tells"), max_length=8, choices=Notify.choices, default=Notify.NONE, blank=True
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("crisis step")
        verbose_name_plural = _("crisis steps")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class CrisisAction(models.Model):
    """A step of the checklist for one red episode of a case: opened, then done (timed)."""

    case = models.ForeignKey("consultations.Case", on_delete=models.CASCADE, related_name="crisis")
    step = models.ForeignKey(CrisisStep, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("crisis action")
        verbose_name_plural = _("crisis actions")
        ordering = ["opened_at", "step__order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "step", "opened_at"], name="crisis_action_once"
            ),
        ]

    def __str__(self):
        return self.step.title
