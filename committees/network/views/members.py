"""Committee members: appoint, replace, carry over; each member's record."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from committees.board.queries import scorecards
from committees.network import services
from committees.network.forms import AppointForm, EndForm
from committees.network.models import Attendance, CommitteeMember, Meeting, TrainingModule
from counseling.errors import PortalError
from counseling.models import Department, SchoolClass
from counseling.permissions import access_of
from counseling.views.helpers import paginate, pick_semester, require_perm

MEMBER_LIST_PAGE = 60
RATES_PAGE = 30


@login_required
@require_perm("committees.see_members")
def member_list(request):
    """Every class of the semester with its members, and the classes that have none."""
    semester = pick_semester(request)
    serving = CommitteeMember.objects.filter(semester=semester).active().select_related("student")
    classes = (
        SchoolClass.objects.visible_to(request.user)
        .active()
        .filter(department__school=semester.school)
        .select_related("department")
        .prefetch_related(Prefetch("committee_members", queryset=serving, to_attr="serving"))
        .order_by("department__name", "-enrolment_year", "name", "pk")
    )
    # 600 classes made a 300 KB page: a page of classes, grouped by department as before;
    # the counts above the list are over every class.
    page = paginate(request, classes, per_page=MEMBER_LIST_PAGE)
    departments = {}
    for cls in page.object_list:
        departments.setdefault(cls.department, []).append(cls)
    missing = classes.exclude(Exists(serving.filter(school_class=OuterRef("pk")))).count()
    return render(
        request,
        "committees/member_list.html",
        {
            "semester": semester,
            "departments": departments.items(),
            "page": page,
            "missing": missing,
            "total": page.paginator.count,
            "previous": services.previous_semester(semester),
        },
    )


@login_required
@require_perm("committees.manage")
def member_appoint(request, class_pk):
    semester = pick_semester(request)
    school_class = get_object_or_404(
        SchoolClass.objects.visible_to(request.user).select_related("department"), pk=class_pk
    )
    form = AppointForm(request.POST or None, school_class=school_class)
    if request.method == "POST" and form.is_valid():
        try:
            member, password = services.appoint(
                semester,
                form.cleaned_data["student"],
                request.user,
                term_ends_on=form.cleaned_data["term_ends_on"],
                request=request,
            )
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            return render(
                request,
                "committees/appointed.html",
                {"member": member, "password": password, "semester": semester},
            )
    return render(
        request,
        "committees/appoint_form.html",
        {"form": form, "school_class": school_class, "semester": semester},
    )


@login_required
@require_perm("committees.manage")
def member_end(request, pk):
    member = get_object_or_404(
        CommitteeMember.objects.visible_to(request.user).select_related(
            "student", "school_class", "semester"
        ),
        pk=pk,
    )
    form = EndForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            new, password = services.end(
                member,
                request.user,
                reason=form.cleaned_data["reason"],
                replacement=form.cleaned_data["replacement"],
                request=request,
            )
        except PortalError as error:
            form.add_error(None, error.message)
        else:
            if new is not None:
                return render(
                    request,
                    "committees/appointed.html",
                    {"member": new, "password": password, "semester": member.semester},
                )
            messages.success(request, _("The member's service has ended."))
            return redirect(f"{reverse('committees:member-list')}?semester={member.semester_id}")
    return render(request, "committees/end_form.html", {"form": form, "member": member})


@login_required
@require_POST
@require_perm("committees.manage")
def carry_over(request):
    semester = pick_semester(request)
    try:
        count = services.carry_over(semester, request.user, request=request)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(n)s members carried over from last semester.") % {"n": count}
        )
    return redirect(f"{reverse('committees:member-list')}?semester={semester.pk}")


@login_required
def member_detail(request, pk):
    """A member's record: attendance and the training modules completed; its scorecard
    for counselors and for the member itself."""
    member = get_object_or_404(
        CommitteeMember.objects.visible_to(request.user).select_related(
            "student", "school_class__department", "semester", "replaced_by__student"
        ),
        pk=pk,
    )
    rows = (
        Attendance.objects.filter(member=member).select_related("meeting").order_by("meeting__date")
    )
    attended = {a.meeting_id for a in rows if a.status in ("present", "late")}
    modules = TrainingModule.objects.filter(school=member.semester.school, is_active=True)
    done = set(
        TrainingModule.objects.filter(
            trainings__in=attended, trainings__status=Meeting.Status.HELD
        ).values_list("pk", flat=True)
    )
    held = [a for a in rows if a.meeting.status == Meeting.Status.HELD]
    rate = sum(a.status in ("present", "late") for a in held) / len(held) if held else None
    # The scorecard: counselors of the member's school and the member itself.
    access = access_of(request.user)
    show_card = (
        member.semester.school_id in access.counselor_school_ids
        or member.student.user_id == request.user.pk
    )
    card = scorecards(member.semester, [member])[member.pk] if show_card else None
    return render(
        request,
        "committees/member_detail.html",
        {
            "member": member,
            "attendance": rows,
            "modules": [(m, m.pk in done) for m in modules],
            "modules_done": len(done),
            "rate": rate,
            "card": card,
        },
    )


@login_required
def my_record(request):
    """A committee member's own page: its latest service."""
    member = (
        CommitteeMember.objects.filter(student__user=request.user)
        .order_by("-semester__first_monday", "-appointed_on")
        .first()
    )
    if member is None:
        raise PermissionDenied
    return redirect("committees:member-detail", pk=member.pk)


@login_required
@require_perm("committees.see_rates")
def rates(request):
    """Attendance rates per department, class and member, for one semester."""
    semester = pick_semester(request)
    rows = Attendance.objects.visible_to(request.user).filter(meeting__semester=semester)
    overall, by_department, by_class, by_member = rows.rates()
    names = {d.pk: d for d in Department.objects.filter(school=semester.school)}
    # 600 classes and 1,200 members at a large school: a page of each, with its own number,
    # their names fetched for the page.
    class_page = Paginator(by_class, RATES_PAGE).get_page(request.GET.get("class_page"))
    classes = {
        c.pk: c
        for c in SchoolClass.objects.filter(
            department__school=semester.school,
            pk__in=[r["member__school_class"] for r in class_page.object_list],
        ).select_related("department")
    }
    page = paginate(request, by_member, per_page=RATES_PAGE)
    members = {
        m.pk: m
        for m in CommitteeMember.objects.visible_to(request.user)
        .filter(pk__in=[r["member"] for r in page.object_list])
        .select_related("student", "school_class")
    }
    return render(
        request,
        "committees/rates.html",
        {
            "semester": semester,
            "overall": overall,
            "by_department": [
                (names.get(r["member__school_class__department"]), r) for r in by_department
            ],
            "by_class": [(classes.get(r["member__school_class"]), r) for r in class_page],
            "class_page": class_page,
            "page": page,
            "by_member": [(members.get(r["member"]), r) for r in page.object_list],
        },
    )
