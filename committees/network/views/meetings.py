"""The schedule of meetings and trainings; each one's minutes, materials and attendance."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.network import services
from committees.network.forms import (
    ATTENDANCE_CHOICES,
    CancelForm,
    MaterialForm,
    MeetingForm,
    MinutesForm,
    ScheduleForm,
)
from committees.network.models import Attendance, Material, Meeting, MinutesRevision
from counseling import audit
from counseling.errors import PortalError
from counseling.views.helpers import pick_semester, require_perm, serve_upload

Action = audit.AuditEntry.Action


def _meeting_or_404(request, pk):
    return get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("semester__school"), pk=pk
    )


@login_required
@require_perm("committees.see_schedule")
def schedule(request):
    semester = pick_semester(request)
    meetings = (
        Meeting.objects.visible_to(request.user)
        .filter(semester=semester)
        .annotate(
            attended=Count("attendance", filter=Q(attendance__status__in=["present", "late"])),
            recorded=Count("attendance"),
        )
        .prefetch_related("modules")
    )
    form = None
    if request.user.has_perm("committees.manage"):
        form = ScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                created = services.generate_schedule(
                    semester, request.user, request=request, **form.cleaned_data
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(n)s meetings and trainings added to the schedule.") % {"n": len(created)},
                )
                return redirect(f"{reverse('committees:schedule')}?semester={semester.pk}")
    today = timezone.localdate()
    rows = [(m, semester.week_of(m.date)) for m in meetings]
    return render(
        request,
        "committees/schedule.html",
        {
            "semester": semester,
            "rows": rows,
            "form": form,
            "today": today,
            "next_meeting": next(
                (m for m, _w in rows if m.date >= today and m.status == "planned"), None
            ),
        },
    )


@login_required
@require_perm("committees.see_schedule")
def meeting_detail(request, pk):
    meeting = _meeting_or_404(request, pk)
    minutes = list(meeting.minutes.select_related("author")[:20])
    can_run = request.user.has_perm("committees.run_meeting")
    # Whoever takes the roll (a counselor, or an association officer who sees its class only
    # elsewhere) sees the whole roll it took; the meeting is already scoped to the user.
    roll = Attendance.objects if can_run else Attendance.objects.visible_to(request.user)
    attendance = (
        roll.filter(meeting=meeting)
        .select_related("member__student", "member__school_class")
        .order_by("member__school_class__department__name", "member__school_class__name")
    )
    summary = {s: 0 for s, _label in ATTENDANCE_CHOICES}
    for row in attendance:
        summary[row.status] += 1
    return render(
        request,
        "committees/meeting_detail.html",
        {
            "meeting": meeting,
            "week": meeting.week,
            "minutes": minutes[0] if minutes else None,
            "revisions": minutes,
            "materials": meeting.materials.select_related("uploaded_by"),
            "attendance": attendance,
            "summary": [(label, summary[s], s) for s, label in ATTENDANCE_CHOICES],
            "can_run": can_run,
            "can_manage": request.user.has_perm("committees.manage"),
            "cancel_form": CancelForm(),
        },
    )


@login_required
@require_perm("committees.manage")
def meeting_edit(request, pk=None):
    """Add a single meeting, or move / change one (date, time, place, topic, agenda)."""
    if pk:
        meeting = _meeting_or_404(request, pk)
        semester = meeting.semester
    else:
        semester = pick_semester(request)
        meeting = Meeting(semester=semester)
    form = MeetingForm(request.POST or None, instance=meeting, semester=semester)
    if request.method == "POST" and form.is_valid():
        meeting = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("committees:meeting-detail", pk=meeting.pk)
    return render(
        request,
        "committees/meeting_form.html",
        {"form": form, "meeting": meeting, "semester": semester},
    )


@login_required
@require_POST
@require_perm("committees.manage")
def meeting_cancel(request, pk):
    meeting = _meeting_or_404(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why it is cancelled."))
    else:
        try:
            services.cancel_meeting(
                meeting, request.user, reason=form.cleaned_data["reason"], request=request
            )
        except PortalError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Cancelled; the members are told."))
    return redirect("committees:meeting-detail", pk=pk)


@login_required
@require_perm("committees.run_meeting")
def attendance(request, pk):
    """Take attendance member by member from a phone, or correct it afterwards."""
    meeting = _meeting_or_404(request, pk)
    members = list(
        services.expected_members(meeting).order_by(
            "school_class__department__name", "school_class__name"
        )
    )
    current = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    errors = []
    if request.method == "POST":
        marks = {}
        valid = dict(ATTENDANCE_CHOICES)
        for member in members:
            status = request.POST.get(f"m{member.pk}", "")
            if status in valid:
                marks[member.pk] = (status, request.POST.get(f"r{member.pk}", "")[:200])
        bulk = request.POST.get("rest", "")
        if bulk in valid and bulk != Attendance.Status.EXCUSED:
            for member in members:
                marks.setdefault(member.pk, (bulk, ""))
        if not marks:
            errors.append(_("Mark at least one member."))
        else:
            try:
                flagged = services.record_attendance(meeting, marks, request.user, request=request)
            except PortalError as error:
                errors.append(error.message)
            else:
                messages.success(request, _("Attendance saved: %(n)s members.") % {"n": len(marks)})
                for member in flagged:
                    messages.warning(
                        request,
                        _(
                            "%(name)s has missed two in a row; the counselors and the class teacher are told."
                        )
                        % {"name": member.student.name},
                    )
                return redirect("committees:meeting-detail", pk=pk)
    rows = []
    for member in members:
        row = current.get(member.pk)
        rows.append(
            {
                "member": member,
                "status": request.POST.get(f"m{member.pk}") or (row.status if row else ""),
                "reason": request.POST.get(f"r{member.pk}") or (row.reason if row else ""),
            }
        )
    return render(
        request,
        "committees/attendance.html",
        {"meeting": meeting, "rows": rows, "choices": ATTENDANCE_CHOICES, "errors": errors},
        status=400 if errors else 200,
    )


@login_required
@require_perm("committees.run_meeting")
def minutes_edit(request, pk):
    meeting = _meeting_or_404(request, pk)
    latest = meeting.minutes.first()
    form = MinutesForm(
        request.POST or None, initial={"text": latest.text if latest else meeting.agenda}
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            MinutesRevision.objects.create(
                meeting=meeting, text=form.cleaned_data["text"], author=request.user
            )
            meeting.log_action(
                request.user, Action.UPDATE, request=request, changes={"minutes": "new revision"}
            )
        messages.success(request, _("Minutes saved."))
        return redirect("committees:meeting-detail", pk=pk)
    return render(request, "committees/minutes_form.html", {"form": form, "meeting": meeting})


@login_required
@require_perm("committees.run_meeting")
def material_upload(request, pk):
    meeting = _meeting_or_404(request, pk)
    form = MaterialForm(
        request.POST or None, request.FILES or None, instance=Material(meeting=meeting)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            material = form.save(commit=False)
            material.meeting = meeting
            material.uploaded_by = request.user
            material.size = material.file.size
            material.save()
            meeting.log_action(
                request.user, Action.UPDATE, request=request, changes={"material": material.title}
            )
        messages.success(request, _("Material uploaded."))
        return redirect("committees:meeting-detail", pk=pk)
    return render(request, "committees/material_form.html", {"form": form, "meeting": meeting})


@login_required
@require_perm("committees.see_schedule")
def material_download(request, pk):
    material = get_object_or_404(
        Material.objects.filter(meeting__in=Meeting.objects.visible_to(request.user)), pk=pk
    )
    return serve_upload(material.file, material.title)
