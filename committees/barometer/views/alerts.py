"""Alerts and their follow-up (counselors), and the talk tasks given to members.

Every alert page is tier 3: counselors only, each read recorded, never cached. The member
sees the name of the classmate it was asked to talk with (it named them), nothing else.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from committees.barometer import services
from committees.barometer.forms import (
    AlertFilterForm,
    FollowUpForm,
    TalkDoneForm,
)
from committees.barometer.models import (
    Alert,
    ImmediateReport,
    StudentOfConcern,
    TalkTask,
)
from committees.barometer.views.common import (
    posted_pk,
)
from committees.network.models import CommitteeMember
from counseling import audit
from counseling.errors import PortalError
from counseling.forms import PlainSelect, rows_as_choices
from counseling.models import Notification, SchoolClass, Student
from counseling.permissions import access_of
from counseling.views.helpers import paginate, pick_semester

Action = audit.AuditEntry.Action


# --- Alerts ---------------------------------------------------------------------------


@login_required
@never_cache
def alert_list(request):
    access = access_of(request.user)
    if not access.counselor_school_ids:
        raise PermissionDenied
    semester = pick_semester(request)
    filters = AlertFilterForm(request.GET, user=request.user)
    alerts = filters.filter(Alert.objects.visible_to(request.user).filter(semester=semester))
    by_grade = {
        row["grade"]: row["n"] for row in alerts.order_by().values("grade").annotate(n=Count("pk"))
    }
    alerts = filters.filter_grade(alerts)
    page = paginate(
        request,
        alerts.select_related("school_class__department", "assigned_to").order_by(
            "-created_at", "-pk"
        ),
    )
    # The class picker is written from rows: 600 classes through the template's option
    # loop were most of the page's time.
    rows = list(
        SchoolClass.objects.filter(department__school=semester.school)
        .order_by("department__name", "-enrolment_year", "name")
        .values_list("department__name", "pk", "name", "enrolment_year")
    )
    context = filters.context()
    class_select = PlainSelect(
        attrs={"class": "form-select form-select-sm", "aria-label": _("Class")},
        choices=rows_as_choices(
            ((department, pk, name) for department, pk, name, _year in rows),
            empty=_("Every class"),
        ),
    ).render("class", context["class_id"])
    return render(
        request,
        "committees/barometer/alert_list.html",
        {
            "semester": semester,
            "page": page,
            **context,
            "years": sorted({year for *_rest, year in rows}, reverse=True),
            "grades": Alert.Grade.choices,
            "rules": Alert.Rule.choices,
            "class_select": class_select,
            "by_grade": [(g, label, by_grade.get(g, 0)) for g, label in Alert.Grade.choices],
        },
    )


@login_required
@never_cache
def alert_detail(request, pk):
    alert = get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "school_class__department",
            "school_class__class_teacher",
            "semester",
            "assigned_to",
            "barometer",
        ),
        pk=pk,
    )
    # Seen here is read: the bell stops counting this alert's notifications for the reader.
    Notification.objects.visible_to(request.user).filter(
        url=reverse("committees:alert-detail", args=[alert.pk])
    ).mark_read()
    form = FollowUpForm(request.POST or None, alert=alert)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    assignee = data.get("assigned_to")
                    if assignee and assignee.pk != alert.assigned_to_id:
                        services.reassign_alert(alert, request.user, assignee, request=request)
                    new_status = data["status"] if data["status"] != alert.status else None
                    if data["text"].strip() or new_status:
                        services.follow_up(
                            alert,
                            request.user,
                            data["text"],
                            status=new_status,
                            outcome=data["outcome"],
                            request=request,
                        )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Saved."))
                return redirect("committees:alert-detail", pk=pk)
        status = 400
    student = None
    if alert.student_pk:
        student = Student.objects.filter(pk=alert.student_pk).select_related("school_class").first()
    # Every alert page is tier 3, named or not: its follow-up log, an immediate report, a
    # talk's note. Each read is recorded.
    audit.record(request.user, Action.READ, alert, request=request)
    concern = None
    if alert.barometer_id and alert.student_ref:
        concern = StudentOfConcern.objects.filter(
            barometer=alert.barometer_id, student_ref=alert.student_ref
        ).first()
    report = None
    if alert.immediate_report_id:
        report = (
            ImmediateReport.objects.filter(pk=alert.immediate_report_id)
            .select_related("filed_by")
            .first()
        )
    related = []
    mentions = []
    if alert.student_ref:
        # Every barometer of the school that named the student, for the counselor to read
        # the weeks before this one in a hurry.
        mentions = (
            StudentOfConcern.objects.filter(
                student_ref=alert.student_ref,
                barometer__school_class__department__school=alert.school_id,
            )
            .select_related("barometer__school_class", "barometer__semester")
            .order_by("-barometer__semester__first_monday", "-barometer__week")
        )
        related = (
            Alert.objects.visible_to(request.user)
            .filter(student_ref=alert.student_ref)
            .exclude(pk=alert.pk)
            .select_related("school_class")
        )
    return render(
        request,
        "committees/barometer/alert_detail.html",
        {
            "alert": alert,
            "grade_year": alert.school_class.grade(alert.semester.first_monday),
            "student": student,
            "concern": concern,
            "report": report,
            "notes": alert.notes.select_related("author"),
            "talk_task": TalkTask.objects.filter(alert=alert)
            .select_related("member__student")
            .first(),
            "related": related,
            "mentions": mentions,
            "teacher": alert.school_class.class_teacher,
            "form": form,
        },
        status=status,
    )


# --- Talk tasks -----------------------------------------------------------------------


@login_required
@never_cache
def talk_tasks(request):
    """The member's talks with classmates it named two weeks running. The member sees the
    classmate's name (it named them) and nothing else the counselors hold."""
    if not CommitteeMember.objects.filter(student__user=request.user).exists():
        raise PermissionDenied
    # Only while the member serves its class: a member whose service ended (its role ended
    # with it) no longer sees, nor records, the talks it was asked for.
    tasks = TalkTask.objects.filter(
        member__student__user=request.user,
        member__ended_on__isnull=True,
        member__school_class__in=access_of(request.user).member_class_ids,
    )
    form = TalkDoneForm(request.POST or None)
    status = 200
    if request.method == "POST":
        task = get_object_or_404(tasks, pk=posted_pk(request, "task"), done_at__isnull=True)
        if form.is_valid():
            try:
                services.complete_talk_task(
                    task, request.user, form.cleaned_data["note"], request=request
                )
            except PortalError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Thank you. The counselor can read how it went."))
                return redirect("committees:talk-tasks")
        status = 400
    open_tasks = list(
        tasks.filter(done_at__isnull=True)
        .select_related("alert__school_class", "alert__semester")
        .order_by("alert__created_at")
    )
    names = Student.objects.in_bulk([t.alert.student_pk for t in open_tasks if t.alert.student_pk])
    for task in open_tasks:
        audit.record(request.user, Action.READ, task.alert, request=request, label=_("Talk task"))
    return render(
        request,
        "committees/barometer/talk_tasks.html",
        {
            "tasks": [(t, names.get(t.alert.student_pk)) for t in open_tasks],
            "done": tasks.filter(done_at__isnull=False).count(),
            "form": form,
            "failed_task": request.POST.get("task") if status == 400 else None,
        },
        status=status,
    )
