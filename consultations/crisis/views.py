"""What the counselors keep: the crisis word list, the crisis checklist, the outside services."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from consultations.cases.models import ReferralService
from consultations.crisis.models import CrisisStep
from consultations.crisis.services import steps_for
from consultations.letters.models import CrisisWord
from consultations.letters.services import DEFAULT_CRISIS_WORDS
from consultations.shared.access import counselor_school
from counseling import audit


def _add(request, school, action):
    post = request.POST
    text = (post.get("text") or "").strip()
    if action in ("word", "step", "service") and not text:
        return _("Write something first.")
    if action == "word":
        if not CrisisWord.objects.filter(school=school).exists():
            # The first word of the school's own list keeps the defaults it replaces.
            CrisisWord.objects.bulk_create(
                [CrisisWord(school=school, word=w) for w in DEFAULT_CRISIS_WORDS],
                ignore_conflicts=True,
            )
        CrisisWord.objects.create(school=school, word=text[:40])
    elif action == "word_delete":
        CrisisWord.objects.filter(school=school, pk=post.get("pk") or 0).delete()
    elif action == "step":
        notifies = post.get("notifies", "")
        if notifies not in CrisisStep.Notify.values:
            notifies = ""
        last = steps_for(school)[-1].order if steps_for(school) else 0
        CrisisStep.objects.create(
            school=school, title=text[:120], notifies=notifies, order=last + 1
        )
    elif action == "step_retire":
        CrisisStep.objects.filter(school=school, pk=post.get("pk") or 0).update(is_active=False)
    elif action == "service":
        ReferralService.objects.create(
            school=school, name=text[:120], phone=(post.get("phone") or "")[:40]
        )
    else:
        return _("Unknown action.")
    audit.record(request.user, audit.AuditEntry.Action.UPDATE, school, changes={action: text})
    return None


def crisis_settings(request):
    school = counselor_school(request)
    if request.method == "POST":
        try:
            with transaction.atomic():
                refused = _add(request, school, request.POST.get("action", ""))
        except IntegrityError:
            refused = _("This is already in the list.")
        if refused:
            messages.error(request, refused)
        else:
            messages.success(request, _("Saved."))
        return redirect("consultations:crisis-settings")
    words = list(CrisisWord.objects.filter(school=school))
    return render(
        request,
        "consultations/crisis/settings.html",
        {
            "words": words,
            "default_words": DEFAULT_CRISIS_WORDS if not words else [],
            "steps": steps_for(school),
            "services": ReferralService.objects.filter(school=school),
            "notify_choices": CrisisStep.Notify.choices,
        },
    )
