from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from counseling import audit
from counseling.forms import SemesterBreakFormSet, SemesterForm
from counseling.models import Semester
from counseling.views.helpers import require_perm, school_of, visible_or_404


@login_required
@require_perm("counseling.manage_semesters")
def semester_list(request):
    semesters = (
        Semester.objects.visible_to(request.user)
        .select_related("school")
        .prefetch_related("breaks")
    )
    return render(request, "counseling/semester_list.html", {"semesters": semesters})


@login_required
@require_perm("counseling.manage_semesters")
def semester_edit(request, pk=None):
    semester = (
        visible_or_404(Semester, request.user, pk=pk) if pk else Semester(school=school_of(request))
    )
    form = SemesterForm(
        request.POST or None, instance=semester, user=request.user, school=semester.school
    )
    formset = SemesterBreakFormSet(request.POST or None, instance=semester, prefix="breaks")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        weeks = form.cleaned_data["weeks"]
        too_late = [
            f
            for f in formset.forms
            if f.cleaned_data
            and not f.cleaned_data.get("DELETE")
            and (f.cleaned_data.get("last_week") or 0) > weeks
        ]
        for f in too_late:
            f.add_error("last_week", _("The semester has only %(n)s weeks.") % {"n": weeks})
        if not too_late:
            with transaction.atomic():
                semester = audit.save_form(form, request.user, request=request)
                formset.instance = semester
                formset.save()
            messages.success(request, _("Semester saved."))
            return redirect("counseling:semester-list")
    return render(request, "counseling/semester_form.html", {"form": form, "formset": formset})
