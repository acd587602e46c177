"""The crisis checklist: opened when a case turns red, each step timed and recorded."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.crisis.models import CrisisAction, CrisisStep
from counseling import audit
from counseling.errors import PortalError
from counseling.notifications import notify

# The checklist a school starts with; counselors change it in the admin.
DEFAULT_STEPS = [
    (_("Tell the head counselor"), CrisisStep.Notify.HEAD),
    (_("Tell the class teacher"), CrisisStep.Notify.TEACHER),
    (_("Tell the parents"), CrisisStep.Notify.NONE),
    (_("Stay with the student until it is safe"), CrisisStep.Notify.NONE),
    (_("Refer to an outside service"), CrisisStep.Notify.NONE),
]


def steps_for(school):
    steps = list(CrisisStep.objects.filter(school=school, is_active=True))
    if steps:
        return steps
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return [
            CrisisStep.objects.create(school=school, order=n, title=str(title), notifies=who)
            for n, (title, who) in enumerate(DEFAULT_STEPS)
        ]


def open_checklist(case, at=None):
    """The school's steps, open for this red episode of the case."""
    at = at or timezone.now()
    return CrisisAction.objects.bulk_create(
        [CrisisAction(case=case, step=s, opened_at=at) for s in steps_for(case.school)]
    )


def teacher_message(case):
    """What the class teacher receives: who, the level, what to do. Nothing more."""
    return _(
        "%(name)s (your class) is at risk level red. Stay with the student, keep the student "
        "from being alone, and call the counseling office."
    ) % {"name": case.student.name}


def complete_step(action, user):
    from consultations.letters.services import counselors_of

    with transaction.atomic():
        action = (
            CrisisAction.objects.select_for_update(of=("self",))
            .select_related("step", "case__student__school_class__class_teacher", "case__school")
            .get(pk=action.pk)
        )
        if action.done_at:
            raise PortalError("done", _("This step is already done."))
        action.done_at = timezone.now()
        action.done_by = user
        action.save(update_fields=["done_at", "done_by"])
        case = action.case
        audit.record(
            user, audit.AuditEntry.Action.UPDATE, case, changes={"crisis_step": action.step.title}
        )
        if action.step.notifies == CrisisStep.Notify.TEACHER:
            teacher = case.student.school_class.class_teacher
            if teacher is None:
                raise PortalError("no_teacher", _("The student's class has no class teacher."))
            notify(
                [teacher],
                "consultations.crisis_teacher",
                _("A student of your class needs you now"),
                body=teacher_message(case),
            )
        elif action.step.notifies == CrisisStep.Notify.HEAD:
            notify(
                [u for u in counselors_of(case.school, head_only=True) if u.pk != user.pk]
                or counselors_of(case.school, head_only=True),
                "consultations.crisis_head",
                _("A case is at risk level red"),
                url=reverse("consultations:case-detail", args=[case.pk]),
            )
    return action
