"""What the counselors set up: classes away (no barometer expected) and the school's rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from committees.barometer.forms import (
    AbsenceEndForm,
    AbsenceForm,
    BarometerSettingsForm,
)
from committees.barometer.models import (
    BarometerSettings,
    ClassAbsence,
)
from committees.barometer.views.common import (
    page_url,
    posted_pk,
    require_counselor,
)
from counseling import audit
from counseling.models import School, Semester
from counseling.permissions import access_of
from counseling.views.helpers import pick_semester, require_perm

Action = audit.AuditEntry.Action


# --- Class absences -------------------------------------------------------------------


@login_required
@require_perm("committees.manage")
def absence_list(request):
    """Classes away (internship, exams, a trip) file no barometer for the weeks covered."""
    semester = pick_semester(request)
    school = semester.school
    require_counselor(request.user, school.pk)
    absences = ClassAbsence.objects.filter(school_class__department__school=school)
    form = AbsenceForm(request.POST if request.POST.get("action") == "add" else None, school=school)
    status = 200
    end_errors = {}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            if form.is_valid():
                audit.save_form(form, request.user, request=request)
                messages.success(request, _("Added."))
                return redirect(page_url("absence-list", semester=request.GET.get("semester")))
            status = 400
        elif action in ("end", "delete"):
            absence = get_object_or_404(absences, pk=posted_pk(request, "absence"))
            if action == "delete":
                if absence.starts_on <= timezone.localdate():
                    raise PermissionDenied  # only an absence not yet begun is removed
                with transaction.atomic():
                    absence.log_action(request.user, Action.DELETE, request=request)
                    absence.delete()
                messages.success(request, _("Removed."))
                return redirect(page_url("absence-list", semester=request.GET.get("semester")))
            end_form = AbsenceEndForm(request.POST, absence=absence)
            if end_form.is_valid():
                with transaction.atomic():
                    old = absence.ends_on
                    absence.ends_on = end_form.cleaned_data["ends_on"]
                    absence.save(update_fields=["ends_on", "updated_at"])
                    absence.log_action(
                        request.user,
                        Action.UPDATE,
                        request=request,
                        changes={"ends_on": [str(old), str(absence.ends_on)]},
                    )
                messages.success(request, _("Ended early."))
                return redirect(page_url("absence-list", semester=request.GET.get("semester")))
            end_errors[absence.pk] = end_form.errors.get("ends_on", [])
            status = 400
    today = timezone.localdate()
    rows = (
        absences.filter(ends_on__gte=semester.first_monday, starts_on__lte=semester.last_day)
        .select_related("school_class__department")
        .order_by("-starts_on", "school_class__name")
    )
    return render(
        request,
        "committees/barometer/absence_list.html",
        {
            "semester": semester,
            "rows": [
                {
                    "absence": a,
                    "current": a.starts_on <= today <= a.ends_on,
                    "future": a.starts_on > today,
                    "end_on": max(today, a.starts_on),
                    "errors": end_errors.get(a.pk, []),
                }
                for a in rows
            ],
            "form": form,
        },
        status=status,
    )


# --- The school's rules ---------------------------------------------------------------


@login_required
@require_perm("committees.manage")
def settings_edit(request):
    access = access_of(request.user)
    school = access.primary_school
    if school is None or school.pk not in access.counselor_school_ids:
        school = get_object_or_404(School, pk=min(access.counselor_school_ids))
    row = BarometerSettings.for_school(school)
    form = BarometerSettingsForm(request.POST or None, instance=row)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with transaction.atomic():
                form.save()
                audit.record(
                    request.user,
                    Action.UPDATE,
                    row,
                    request=request,
                    changes=audit.form_changes(form),
                )
            messages.success(request, _("Saved. The new rules apply from now on."))
            return redirect("committees:barometer-settings")
        status = 400
    example = None
    semester = Semester.objects.current(school)
    if semester is not None:
        week = semester.current_week() or 1
        example = (week, row.deadline(semester, week))
    return render(
        request,
        "committees/barometer/settings.html",
        {"form": form, "school": school, "example": example},
        status=status,
    )
