"""Course suggestions: read by whoever may see the class, answered by the department's liaison."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from committees.barometer import services
from committees.barometer.forms import (
    SuggestionAnswerForm,
)
from committees.barometer.models import (
    CourseSuggestion,
)
from counseling import audit
from counseling.errors import PortalError
from counseling.models import Department
from counseling.permissions import access_of
from counseling.views.helpers import paginate, pick_semester

Action = audit.AuditEntry.Action


# --- Course suggestions ---------------------------------------------------------------


@login_required
def suggestion_list(request):
    access = access_of(request.user)
    if not (
        access.whole_school_ids
        or access.liaison_department_ids
        or access.teacher_class_ids
        or access.member_class_ids
        or access.is_sysadmin
    ):
        raise PermissionDenied
    semester = pick_semester(request)
    suggestions = CourseSuggestion.objects.visible_to(request.user).filter(
        barometer__semester=semester
    )
    status = request.GET.get("status", "")
    department = request.GET.get("department", "")
    if department.isdigit():
        suggestions = suggestions.filter(department=int(department))
    counts = {
        row["status"]: row["n"]
        for row in suggestions.order_by().values("status").annotate(n=Count("pk"))
    }
    if status in CourseSuggestion.Status.values:
        suggestions = suggestions.filter(status=status)
    page = paginate(
        request,
        suggestions.select_related("barometer__school_class", "department", "answered_by").order_by(
            "-created_at", "-pk"
        ),
    )
    show_departments = bool(access.whole_school_ids or access.is_sysadmin)
    return render(
        request,
        "committees/barometer/suggestion_list.html",
        {
            "semester": semester,
            "page": page,
            "status": status,
            "department": int(department) if department.isdigit() else None,
            "departments": Department.objects.filter(school=semester.school)
            if show_departments
            else [],
            "statuses": [
                (value, label, counts.get(value, 0))
                for value, label in CourseSuggestion.Status.choices
            ],
            "total": sum(counts.values()),
            "answerable": access.liaison_department_ids,
        },
    )


@login_required
def suggestion_answer(request, pk):
    """The department liaison acknowledges a suggestion, then answers it."""
    suggestion = get_object_or_404(
        CourseSuggestion.objects.visible_to(request.user).select_related(
            "barometer__school_class", "barometer__semester", "department", "answered_by"
        ),
        pk=pk,
    )
    if suggestion.department_id not in access_of(request.user).liaison_department_ids:
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "acknowledge":
        if services.acknowledge_suggestion(suggestion, request.user, request=request):
            messages.success(request, _("Acknowledged. Answer it when you can."))
        return redirect("committees:suggestion-list")
    initial = {}
    if suggestion.adopted is not None:
        initial = {"adopted": "yes" if suggestion.adopted else "no", "answer": suggestion.answer}
    form = SuggestionAnswerForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_suggestion(
                    suggestion,
                    request.user,
                    form.cleaned_data["adopted"],
                    form.cleaned_data["answer"],
                    request=request,
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Answered; the class's committee member is told."))
                return redirect("committees:suggestion-list")
        status = 400
    return render(
        request,
        "committees/barometer/suggestion_answer.html",
        {"suggestion": suggestion, "form": form},
        status=status,
    )
