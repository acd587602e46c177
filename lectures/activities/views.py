"""Group counseling activities: the library of designs, and the sessions run with them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from counseling import audit
from counseling.errors import PortalError
from counseling.views.helpers import pick_semester, require_perm, school_of
from lectures.activities import services
from lectures.activities.forms import ActivityDesignForm, ActivityRecordForm, ActivitySessionForm
from lectures.activities.models import ActivityDesign, ActivitySession
from lectures.events.models import Status
from lectures.feedback.models import Feedback


def activity_session_or_404(request, pk):
    return get_object_or_404(
        ActivitySession.objects.visible_to(request.user).select_related(
            "design__school", "semester", "venue", "school_class"
        ),
        pk=pk,
    )


def _design_or_404(request, pk):
    return get_object_or_404(
        ActivityDesign.objects.visible_to(request.user).select_related("school"), pk=pk
    )


@login_required
@require_perm("lectures.see_events")
def design_list(request):
    """The library, with how often each design was used, and this semester's sessions."""
    semester = pick_semester(request)
    designs = (
        ActivityDesign.objects.visible_to(request.user)
        .filter(school=semester.school)
        .annotate(
            held=Count("sessions", filter=Q(sessions__status=Status.HELD)),
            participants=Sum("sessions__participants", filter=Q(sessions__status=Status.HELD)),
        )
        .order_by("-is_active", "name")
    )
    sessions = (
        ActivitySession.objects.visible_to(request.user)
        .for_semester(semester)
        .select_related("design", "school_class", "venue")
        .order_by("date", "start_time")
    )
    return render(
        request,
        "lectures/design_list.html",
        {
            "semester": semester,
            "designs": designs,
            "sessions": sessions,
            "figures": sessions.figures(),
            "can_manage": request.user.has_perm("lectures.manage"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_perm("lectures.see_events")
def design_detail(request, pk):
    design = _design_or_404(request, pk)
    sessions = list(
        ActivitySession.objects.visible_to(request.user)
        .filter(design=design)
        .select_related("school_class__department", "venue", "semester")
        .prefetch_related("facilitators")
        .order_by("-date", "-start_time")
    )
    held = [s for s in sessions if s.status == Status.HELD]
    # With whom it was used: each class or target group, how often, how many took part.
    groups = {}
    for s in held:
        row = groups.setdefault(s.audience, {"audience": s.audience, "sessions": 0, "people": 0})
        row["sessions"] += 1
        row["people"] += s.participants or 0
    summary = None
    if request.user.has_perm("lectures.see_feedback"):
        summary = Feedback.objects.filter(activity_session__design=design).summary()
    return render(
        request,
        "lectures/design_detail.html",
        {
            "design": design,
            "sessions": sessions,
            "held": len(held),
            "participants": sum(s.participants or 0 for s in held),
            "groups": sorted(groups.values(), key=lambda r: (-r["sessions"], r["audience"])),
            "summary": summary,
            "can_manage": request.user.has_perm("lectures.manage"),
            "semester": pick_semester(request),
        },
    )


@login_required
@require_perm("lectures.manage")
def design_edit(request, pk=None):
    design = _design_or_404(request, pk) if pk else ActivityDesign(school=school_of(request))
    form = ActivityDesignForm(request.POST or None, instance=design, school=design.school)
    if request.method == "POST" and form.is_valid():
        design = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("lectures:activity-design-detail", pk=design.pk)
    return render(
        request,
        "lectures/design_form.html",
        {"form": form, "design": design},
        status=400 if form.errors else 200,
    )


@login_required
@require_perm("lectures.manage")
def session_edit(request, pk=None, design_pk=None):
    """Plan a session with a design (date, time, facilitators, a class or a target group,
    a venue if it needs one), or change a planned one."""
    if pk:
        session = activity_session_or_404(request, pk)
        design, semester = session.design, session.semester
    else:
        design = _design_or_404(request, design_pk)
        semester = pick_semester(request)
        session = ActivitySession()
    form = ActivitySessionForm(
        request.POST or None,
        instance=session,
        design=design,
        semester=semester,
        initial=None if pk else {"facilitators": [request.user.pk], "target_group": ""},
    )
    return _save_session(
        request,
        form,
        services.save_activity_session,
        "lectures/activity_session_form.html",
        {"session": session, "design": design, "semester": semester},
    )


@login_required
@require_perm("lectures.see_events")
def session_detail(request, pk):
    session = activity_session_or_404(request, pk)
    summary = None
    if request.user.has_perm("lectures.see_feedback"):
        summary = Feedback.objects.filter(activity_session=session).summary()
    return render(
        request,
        "lectures/activity_session_detail.html",
        {
            "session": session,
            "design": session.design,
            "week": session.semester.week_of(session.date),
            "facilitators": session.facilitators.all(),
            "summary": summary,
            "can_manage": request.user.has_perm("lectures.manage"),
        },
    )


@login_required
@require_perm("lectures.manage")
def session_record(request, pk):
    """Afterwards: held or cancelled, how many took part, what happened and what changed."""
    session = activity_session_or_404(request, pk)
    was = session.status
    initial = {"status": Status.HELD} if was == Status.PLANNED else None
    form = ActivityRecordForm(
        request.POST or None, instance=session, initial=initial, today=timezone.localdate()
    )
    return _save_session(
        request,
        form,
        services.record_activity_session,
        "lectures/activity_session_record.html",
        {"session": session, "design": session.design},
    )


def _save_session(request, form, save, template, context):
    """A valid POST is saved by `save(form, user, request=...)` and goes to the session; a
    refusal of the service (a taken venue, say) shows on the form as a 400, as form errors do."""
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            session = save(form, request.user, request=request)
        except PortalError as exc:
            error = exc.message
        else:
            messages.success(request, _("Saved."))
            return redirect("lectures:activity-session-detail", pk=session.pk)
    return render(
        request,
        template,
        {**context, "form": form, "error": error},
        status=400 if (error or form.errors) else 200,
    )
