"""Theme months (心理健康教育主题月) and their events: contests, song-learning, talks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.errors import PortalError
from counseling.views.helpers import pick_semester, require_perm, school_of
from lectures.publicity import services
from lectures.publicity.forms import ThemeEventForm, ThemeMonthForm
from lectures.publicity.models import Contest, ThemeEvent, ThemeMonth
from lectures.publicity.views.common import can_manage

Action = audit.AuditEntry.Action


def _events(user):
    return ThemeEvent.objects.filter(month__in=ThemeMonth.objects.visible_to(user))


@login_required
@require_perm("lectures.see_publicity")
def theme_month_list(request):
    semester = pick_semester(request)
    months = (
        ThemeMonth.objects.visible_to(request.user)
        .filter(semester=semester)
        .order_by("month")
        .prefetch_related("events")
    )
    return render(
        request,
        "lectures/publicity/theme_month_list.html",
        {
            "semester": semester,
            "months": months,
            "can_manage": can_manage(request.user),
        },
    )


@login_required
@require_perm("lectures.see_publicity")
def theme_month_detail(request, pk):
    month = get_object_or_404(
        ThemeMonth.objects.visible_to(request.user).select_related("semester"), pk=pk
    )
    events = (
        month.events.select_related("venue", "contest")
        .annotate(class_count=Count("classes"))
        .order_by("date", "start_time")
    )
    return render(
        request,
        "lectures/publicity/theme_month_detail.html",
        {"month": month, "events": events, "can_manage": can_manage(request.user)},
    )


@login_required
@require_perm("lectures.manage_publicity")
def theme_month_edit(request, pk=None):
    school = school_of(request)
    month = (
        get_object_or_404(ThemeMonth.objects.visible_to(request.user), pk=pk)
        if pk
        else ThemeMonth(school=school)
    )
    form = ThemeMonthForm(request.POST or None, instance=month, school=month.school)
    if request.method == "POST" and form.is_valid():
        month = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("lectures:theme-month-detail", pk=month.pk)
    return render(
        request,
        "lectures/publicity/theme_month_form.html",
        {
            "form": form,
            "month": month,
            "heading": _("Edit the theme month") if pk else _("New theme month"),
            "back": reverse("lectures:theme-month-detail", args=[pk])
            if pk
            else reverse("lectures:theme-month-list"),
        },
    )


@login_required
@require_perm("lectures.see_publicity")
def event_detail(request, pk):
    event = get_object_or_404(
        _events(request.user).select_related("month__semester", "venue"), pk=pk
    )
    classes = event.classes.select_related("department").order_by("department__name", "name")
    by_department = {}
    for cls in classes:
        by_department.setdefault(cls.department.name, []).append(cls)
    return render(
        request,
        "lectures/publicity/event_detail.html",
        {
            "event": event,
            "contest": Contest.objects.filter(event=event).first(),
            "by_department": sorted(by_department.items()),
            "can_manage": can_manage(request.user),
        },
    )


@login_required
@require_perm("lectures.manage_publicity")
def event_edit(request, month_pk=None, pk=None):
    if pk:
        event = get_object_or_404(_events(request.user).select_related("month__semester"), pk=pk)
        month = event.month
    else:
        month = get_object_or_404(
            ThemeMonth.objects.visible_to(request.user).select_related("semester"), pk=month_pk
        )
        event = ThemeEvent(month=month)
    form = ThemeEventForm(request.POST or None, instance=event, month=month)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.save_event(form, request.user, request=request)
        except PortalError as error:
            form.add_error("venue", error.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("lectures:event-detail", pk=event.pk)
    return render(
        request,
        "lectures/publicity/event_form.html",
        {
            "form": form,
            "event": event,
            "month": month,
            "class_groups": _class_groups(form),
            "heading": _("Edit the event") if pk else _("Add an event"),
            "back": reverse("lectures:event-detail", args=[pk])
            if pk
            else reverse("lectures:theme-month-detail", args=[month.pk]),
        },
        status=400 if form.errors else 200,
    )


def _class_groups(form):
    """The class checkboxes grouped by department, for a compact list on a phone."""
    field = form["classes"]
    chosen = {str(v) for v in (field.value() or [])}
    groups = {}
    for cls in form.fields["classes"].queryset:
        groups.setdefault(cls.department.name, []).append((cls, str(cls.pk) in chosen))
    return [(name, rows, sum(1 for _c, on in rows if on)) for name, rows in groups.items()]


@login_required
@require_POST
@require_perm("lectures.manage_publicity")
def event_delete(request, pk):
    event = get_object_or_404(_events(request.user).select_related("month__school"), pk=pk)
    month_pk = event.month_id
    contest = Contest.objects.filter(event=event).first()
    if contest is not None and contest.entries.exists():
        messages.error(request, _("The contest has entries; it cannot be deleted."))
        return redirect("lectures:event-detail", pk=pk)
    try:
        with transaction.atomic():
            audit.record(
                request.user, Action.DELETE, event, request=request, school=event.month.school
            )
            event.delete()
    except ProtectedError:
        messages.error(request, _("Something still refers to this event; it was kept."))
        return redirect("lectures:event-detail", pk=pk)
    messages.success(request, _("Event deleted."))
    return redirect("lectures:theme-month-detail", pk=month_pk)
