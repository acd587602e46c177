"""Lectures: the semester's list, a lecture and its sessions, planning a series in one step,
recording a session afterwards, and the venues they use."""

import datetime
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import (
    Avg,
    Count,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.errors import PortalError
from counseling.views.helpers import (
    paginate,
    pick_semester,
    require_perm,
    school_of,
    serve_upload,
)
from lectures.events import services
from lectures.events.forms import (
    LectureForm,
    RecordForm,
    SeriesForm,
    SessionFileForm,
    SessionForm,
    SlotFormSet,
    StatusForm,
    VenueForm,
)
from lectures.events.models import (
    UPLOAD_MAX_BYTES,
    Lecture,
    LectureSession,
    SessionClass,
    SessionFile,
    Status,
    Venue,
)
from lectures.feedback.models import Feedback

Action = audit.AuditEntry.Action


def lecture_or_404(request, pk):
    return get_object_or_404(
        Lecture.objects.visible_to(request.user).select_related("semester", "school"), pk=pk
    )


def session_or_404(request, pk):
    return get_object_or_404(
        LectureSession.objects.filter(
            lecture__in=Lecture.objects.visible_to(request.user)
        ).select_related("lecture__semester", "lecture__school", "venue"),
        pk=pk,
    )


def _with_classes(sessions):
    return sessions.select_related("venue").prefetch_related(
        Prefetch(
            "classes",
            queryset=SessionClass.objects.select_related("school_class__department").order_by(
                "school_class__department__name", "school_class__name"
            ),
        )
    )


@login_required
@require_perm("lectures.see_events")
def lecture_list(request):
    semester = pick_semester(request)
    base = Lecture.objects.visible_to(request.user).for_semester(semester)
    attendance = (
        SessionClass.objects.filter(session__lecture=OuterRef("pk"), session__status=Status.HELD)
        .values("session__lecture")
        .annotate(n=Sum("actual"))
        .values("n")
    )
    lectures = base.annotate(
        session_count=Count("sessions", distinct=True),
        held_count=Count("sessions", filter=Q(sessions__status=Status.HELD), distinct=True),
        first_date=Min("sessions__date"),
        last_date=Max("sessions__date"),
        attendance=Subquery(attendance, output_field=IntegerField()),
    ).order_by("first_date", "title")
    averages = {}
    if request.user.has_perm("lectures.see_feedback"):
        # Lecture feedback only, through the semester's lectures: for_semester()'s OR with
        # activity feedback reads every school's answers.
        on_lectures = Feedback.objects.filter(lecture_session__lecture__semester=semester)
        averages = {row["lecture"]: row for row in on_lectures.by_lecture()}
    rows = [(lecture, averages.get(lecture.pk)) for lecture in lectures]
    return render(
        request,
        "lectures/lecture_list.html",
        {
            "semester": semester,
            "rows": rows,
            "figures": base.figures(),
            "can_manage": request.user.has_perm("lectures.manage"),
            "see_feedback": request.user.has_perm("lectures.see_feedback"),
        },
    )


@login_required
@require_perm("lectures.manage")
def lecture_edit(request, pk=None):
    if pk:
        lecture = lecture_or_404(request, pk)
        semester = lecture.semester
    else:
        semester = pick_semester(request)
        lecture = Lecture()
    form = LectureForm(
        request.POST or None, instance=lecture, school=semester.school, semester=semester
    )
    if request.method == "POST" and form.is_valid():
        lecture = audit.save_form(form, request.user, request=request)
        if pk:
            messages.success(request, _("Saved."))
            return redirect("lectures:lecture-detail", pk=lecture.pk)
        messages.success(request, _("Lecture saved. Now plan its sessions."))
        return redirect("lectures:series-new", pk=lecture.pk)
    return render(
        request,
        "lectures/lecture_form.html",
        {"form": form, "lecture": lecture, "semester": semester},
        status=400 if form.errors else 200,
    )


# The badges of lectures/_status.html and the bars of _seats.html, made in the view for
# the sessions table: two includes on each row cost more than the rest of the row.
_BADGES = {Status.HELD: "text-bg-success", Status.CANCELLED: "text-bg-secondary"}


def _session_row(session, classes, week, feedback):
    expected = sum(c[1] for c in classes)
    present = [c[2] for c in classes if c[2] is not None]
    capacity = session.venue.capacity
    percent = round(100 * expected / capacity)
    return {
        "session": session,
        "week": week,
        "expected": expected,
        "actual": sum(present) if present else None,
        "percent": percent,
        "bar_width": min(percent, 100),
        "bar": "bg-danger" if percent > 100 else "bg-warning" if percent >= 90 else "bg-success",
        "seats_title": _("%(n)s of %(cap)s seats") % {"n": expected, "cap": capacity},
        "feedback": feedback,
        "class_count": len(classes),
        "class_names": "、".join(c[0] for c in classes),
        "status_label": session.get_status_display(),
        "badge": _BADGES.get(session.status, "text-bg-info"),
    }


@login_required
@require_perm("lectures.see_events")
def lecture_detail(request, pk):
    lecture = lecture_or_404(request, pk)
    sessions = list(lecture.sessions.select_related("venue").order_by("date", "start_time"))
    # A whole-school lecture places 600 classes in 50 sessions: the classes are read as plain
    # rows in one query and each session's names joined here, and the table shows a page of
    # sessions (a model instance and a template loop per class made most of the page's time).
    placed_rows = (
        SessionClass.objects.filter(session__lecture=lecture)
        .order_by("school_class__department__name", "school_class__name")
        .values_list("session_id", "school_class_id", "school_class__name", "expected", "actual")
    )
    by_session = {s.pk: [] for s in sessions}
    placed = set()
    for session_id, class_id, name, expected, actual in placed_rows:
        by_session[session_id].append((name, expected, actual))
        placed.add(class_id)
    see_feedback = request.user.has_perm("lectures.see_feedback")
    feedback = {}
    summary = None
    if see_feedback:
        answers = Feedback.objects.for_lecture(lecture)
        summary = answers.summary()
        feedback = {
            row["lecture_session"]: row
            for row in answers.values("lecture_session").annotate(
                count=Count("pk"), average=Avg("satisfaction")
            )
        }
    page = paginate(request, sessions)
    rows = [
        _session_row(s, by_session[s.pk], lecture.semester.week_of(s.date), feedback.get(s.pk))
        for s in page.object_list
    ]
    expected = sum(c[1] for s in sessions if s.status != Status.CANCELLED for c in by_session[s.pk])
    audience = list(
        lecture.target_classes().order_by("department__name", "name").values_list("pk", "name")
    )
    not_placed = [name for pk, name in audience if pk not in placed]
    return render(
        request,
        "lectures/lecture_detail.html",
        {
            "lecture": lecture,
            "rows": rows,
            "page": page,
            "has_sessions": bool(sessions),
            "reach": services.series_reach(lecture),
            "expected": expected,
            "audience_count": len(audience),
            "not_placed": "、".join(not_placed),
            "not_placed_count": len(not_placed),
            "summary": summary,
            "see_feedback": see_feedback,
            "can_manage": request.user.has_perm("lectures.manage"),
            "statuses": Status.choices,
            "seats_label": _("Seats"),
        },
    )


@login_required
@require_POST
@require_perm("lectures.manage")
def lecture_status(request, pk):
    lecture = lecture_or_404(request, pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        services.set_status(lecture, form.cleaned_data["status"], request.user, request=request)
        messages.success(
            request, _("Status changed to %(s)s.") % {"s": lecture.get_status_display()}
        )
    else:
        messages.error(request, _("Unknown status."))
    return redirect("lectures:lecture-detail", pk=pk)


def _series_classes(lecture, form, slots):
    """The lecture's audience less the classes left out by hand and, if asked, those away
    on internship on the session dates."""
    classes = list(lecture.target_classes().select_related("department"))
    leave_out = {c.pk for c in form.cleaned_data.get("leave_out") or []}
    interns = []
    if form.cleaned_data.get("exclude_internship") and slots:
        dates = [d for d, _s, _e in slots]
        interns = list(
            services.on_internship(classes, min(dates), max(dates)).select_related("department")
        )
        leave_out |= {c.pk for c in interns}
    kept = [c for c in classes if c.pk not in leave_out]
    return kept, interns


def _slots_initial(data, semester):
    dates = services.weekday_dates(data["first_date"], data["count"], semester)
    return [
        {"date": d, "start_time": data["start_time"], "end_time": data["end_time"]} for d in dates
    ]


def _next_school_day(semester):
    day = max(timezone.localdate() + datetime.timedelta(days=1), semester.first_monday)
    dates = services.weekday_dates(day, 1, semester)
    return dates[0] if dates else semester.first_monday


@login_required
@require_perm("lectures.manage")
def series_new(request, pk):
    """Plan a lecture's sessions in one step: the dates, the venue, and the audience split
    over the sessions without placing classes by hand. Preview first, then save."""
    lecture = lecture_or_404(request, pk)
    if lecture.status == Status.CANCELLED:
        messages.error(request, _("The lecture was cancelled; plan it again first."))
        return redirect("lectures:lecture-detail", pk=lecture.pk)
    semester = lecture.semester
    action = request.POST.get("action", "")
    preview = error = None
    interns = []
    status = 200
    if request.method != "POST":
        initial = {
            "count": 5,
            "first_date": _next_school_day(semester),
            "start_time": datetime.time(14, 30),
            "end_time": datetime.time(16, 0),
            "exclude_internship": True,
        }
        hall = Venue.objects.filter(school=lecture.school, is_active=True).order_by("-capacity")
        initial["venue"] = hall.first()
        form = SeriesForm(initial=initial, lecture=lecture)
        slots = SlotFormSet(prefix="slot", initial=_slots_initial(initial, semester))
    else:
        form = SeriesForm(request.POST, lecture=lecture)
        slots = SlotFormSet(request.POST, prefix="slot")
        if action == "fill":
            # The rows are made again from the first date, the number and the times.
            if form.is_valid():
                slots = SlotFormSet(
                    prefix="slot", initial=_slots_initial(form.cleaned_data, semester)
                )
            else:
                status = 400
        elif form.is_valid() and slots.is_valid():
            slot_list = [
                (f.cleaned_data["date"], f.cleaned_data["start_time"], f.cleaned_data["end_time"])
                for f in slots.forms
            ]
            classes, interns = _series_classes(lecture, form, slot_list)
            venue = form.cleaned_data["venue"]
            try:
                if action == "save":
                    created = services.create_series(
                        lecture,
                        request.user,
                        slots=slot_list,
                        venue=venue,
                        classes=classes,
                        request=request,
                    )
                    messages.success(
                        request,
                        _("%(n)s sessions planned for %(c)s classes.")
                        % {"n": len(created), "c": len(classes)},
                    )
                    return redirect("lectures:lecture-detail", pk=lecture.pk)
                preview = services.preview_series(
                    lecture, slots=slot_list, venue=venue, classes=classes
                )
            except PortalError as exc:
                error = exc.message
                status = 400
        else:
            status = 400
    return render(
        request,
        "lectures/series_form.html",
        {
            "lecture": lecture,
            "form": form,
            "slots": slots,
            "preview": preview,
            "error": error,
            "interns": interns,
            "audience_count": lecture.target_classes().count(),
            "existing": lecture.sessions.exclude(status=Status.CANCELLED).count(),
        },
        status=status,
    )


@login_required
@require_perm("lectures.see_events")
def session_detail(request, pk):
    session = session_or_404(request, pk)
    session = _with_classes(LectureSession.objects.filter(pk=session.pk)).select_related(
        "lecture__semester"
    )[0]
    rows = list(session.classes.all())
    summary = None
    if request.user.has_perm("lectures.see_feedback"):
        summary = Feedback.objects.filter(lecture_session=session).summary()
    expected = sum(r.expected for r in rows)
    return render(
        request,
        "lectures/session_detail.html",
        {
            "session": session,
            "lecture": session.lecture,
            "week": session.lecture.semester.week_of(session.date),
            "rows": rows,
            "expected": expected,
            "actual": session.actual,
            "percent": round(100 * expected / session.venue.capacity),
            "files": session.files.select_related("uploaded_by"),
            "summary": summary,
            "can_manage": request.user.has_perm("lectures.manage"),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_perm("lectures.manage")
def session_edit(request, pk):
    """Move one session or change its classes; the venue is checked again, this session apart."""
    session = session_or_404(request, pk)
    if session.status != Status.PLANNED:
        # A held session keeps the classes its attendance was recorded for.
        messages.error(request, _("Only a planned session can be moved."))
        return redirect("lectures:session-detail", pk=session.pk)
    form = SessionForm(request.POST or None, session=session)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.update_session(
                session,
                request.user,
                date=data["date"],
                start=data["start_time"],
                end=data["end_time"],
                venue=data["venue"],
                classes=data["classes"],
                request=request,
            )
        except PortalError as exc:
            error = exc.message
        else:
            messages.success(request, _("Session saved."))
            if moved:
                messages.info(
                    request,
                    _("Moved here from another session: %(classes)s")
                    % {"classes": "、".join(moved)},
                )
            return redirect("lectures:session-detail", pk=session.pk)
    return render(
        request,
        "lectures/session_form.html",
        {"form": form, "session": session, "lecture": session.lecture, "error": error},
        status=400 if (error or form.errors) else 200,
    )


@login_required
@require_POST
@require_perm("lectures.manage")
def session_status(request, pk):
    """Cancel a session (its venue is freed) or plan it again (if the venue is still free)."""
    session = session_or_404(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid() or form.cleaned_data["status"] == Status.HELD:
        # Held is what recording attendance says, not a button.
        messages.error(request, _("Unknown status."))
    else:
        try:
            services.set_status(session, form.cleaned_data["status"], request.user, request=request)
        except PortalError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Status changed to %(s)s.") % {"s": session.get_status_display()}
            )
    return redirect("lectures:session-detail", pk=pk)


@login_required
@require_perm("lectures.manage")
def session_record(request, pk):
    """After the session: present per class or one total, and notes. Marks it held."""
    session = session_or_404(request, pk)
    rows = list(
        session.classes.select_related("school_class__department").order_by(
            "school_class__department__name", "school_class__name"
        )
    )
    recorded = any(r.actual is not None for r in rows)
    form = RecordForm(request.POST or None, rows=rows, initial={"notes": session.notes})
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_session(
                session,
                request.user,
                actual_by_class=data["by_class"] or None,
                total=data["total"],
                notes=data["notes"],
                request=request,
            )
        except PortalError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Attendance saved: %(n)s present.") % {"n": session.actual or 0},
            )
            return redirect("lectures:session-detail", pk=session.pk)
    return render(
        request,
        "lectures/session_record.html",
        {
            "form": form,
            "session": session,
            "lecture": session.lecture,
            "recorded": recorded,
            "expected": sum(r.expected for r in rows),
            "error": error,
        },
        status=400 if (error or form.errors) else 200,
    )


@login_required
@require_perm("lectures.manage")
def session_upload(request, pk):
    session = session_or_404(request, pk)
    form = SessionFileForm(
        request.POST or None, request.FILES or None, instance=SessionFile(session=session)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            item = form.save(commit=False)
            item.session = session
            item.uploaded_by = request.user
            item.save()
            session.log_action(
                request.user, Action.UPDATE, request=request, changes={"file": item.title}
            )
        messages.success(request, _("File uploaded."))
        return redirect("lectures:session-detail", pk=session.pk)
    return render(
        request,
        "lectures/session_upload.html",
        {
            "form": form,
            "session": session,
            "lecture": session.lecture,
            "max_mb": UPLOAD_MAX_BYTES // (1024 * 1024),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_perm("lectures.see_events")
def session_file(request, pk):
    """Photos and slides go out through here, to signed-in people of the school only: the
    photos show students, so they are never on a public media address."""
    item = get_object_or_404(
        SessionFile.objects.filter(
            session__lecture__in=Lecture.objects.visible_to(request.user)
        ).select_related("session"),
        pk=pk,
    )
    ext = os.path.splitext(item.file.name)[1].lower()
    inline = item.kind == SessionFile.Kind.PHOTO and ext in (".jpg", ".jpeg", ".png")
    return serve_upload(item.file, item.title, inline=inline)


@login_required
@require_perm("lectures.manage")
def venue_list(request):
    school = school_of(request)
    venues = Venue.objects.filter(school=school).annotate(
        sessions=Count("lecture_sessions", distinct=True),
        activities=Count("activity_sessions", distinct=True),
    )
    return render(
        request, "lectures/venue_list.html", {"venues": venues.order_by("-is_active", "name")}
    )


@login_required
@require_perm("lectures.manage")
def venue_edit(request, pk=None):
    school = school_of(request)
    venue = get_object_or_404(Venue, school=school, pk=pk) if pk else Venue(school=school)
    form = VenueForm(request.POST or None, instance=venue, school=school)
    if request.method == "POST" and form.is_valid():
        audit.save_form(form, request.user, request=request)
        messages.success(request, _("Saved."))
        return redirect("lectures:venue-list")
    return render(
        request,
        "lectures/venue_form.html",
        {"form": form, "venue": venue},
        status=400 if form.errors else 200,
    )
