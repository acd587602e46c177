"""The committee association (心理委员协会) and the training curriculum."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.network.forms import ModuleForm, OfficerForm
from committees.network.models import AssociationOfficer, CommitteeMember, TrainingModule
from counseling import audit
from counseling.views.helpers import pick_semester, require_perm, school_of

Action = audit.AuditEntry.Action


@login_required
@require_perm("committees.see_schedule")
def association(request):
    semester = pick_semester(request)
    officers = (
        AssociationOfficer.objects.visible_to(request.user)
        .filter(school=semester.school)
        .current()
        .select_related("student__school_class", "department")
    )
    members = CommitteeMember.objects.filter(semester=semester).active()
    form = None
    if request.user.has_perm("committees.manage"):
        form = OfficerForm(request.POST or None, semester=semester)
        if request.method == "POST" and form.is_valid():
            audit.save_form(form, request.user, request=request)
            messages.success(request, _("Officer added."))
            return redirect("committees:association")
    return render(
        request,
        "committees/association.html",
        {
            "semester": semester,
            "officers": officers,
            "member_count": members.count(),
            "class_count": members.values("school_class").distinct().count(),
            "form": form,
        },
    )


@login_required
@require_POST
@require_perm("committees.manage")
def officer_end(request, pk):
    officer = get_object_or_404(AssociationOfficer.objects.visible_to(request.user), pk=pk)
    with transaction.atomic():
        officer.ends_on = max(timezone.localdate(), officer.starts_on)
        officer.save(update_fields=["ends_on", "updated_at"])
        officer.log_action(request.user, Action.DEACTIVATE, request=request)
    messages.success(request, _("The officer's term has ended."))
    return redirect("committees:association")


@login_required
@require_perm("committees.see_schedule")
def module_list(request):
    modules = TrainingModule.objects.visible_to(request.user).filter(school=school_of(request))
    return render(request, "committees/module_list.html", {"modules": modules})


@login_required
@require_perm("committees.manage")
def module_edit(request, pk=None):
    school = school_of(request)
    module = (
        get_object_or_404(TrainingModule.objects.visible_to(request.user), pk=pk)
        if pk
        else TrainingModule(school=school)
    )
    form = ModuleForm(request.POST or None, instance=module, school=module.school)
    if request.method == "POST" and form.is_valid():
        audit.save_form(form, request.user, request=request)
        messages.success(request, _("Module saved."))
        return redirect("committees:module-list")
    return render(
        request,
        "counseling/form.html",
        {"form": form, "title": _("Training module"), "back": "committees:module-list"},
    )
