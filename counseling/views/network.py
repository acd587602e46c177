"""The school network: departments, classes and the roster."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from counseling import audit
from counseling.forms import DepartmentForm, SchoolClassForm, StudentForm
from counseling.models import Department, SchoolClass, Student
from counseling.permissions import access_of
from counseling.views.helpers import paginate, require_perm, school_of, visible_or_404

Action = audit.AuditEntry.Action


@login_required
@require_perm("counseling.see_network")
def department_list(request):
    departments = (
        Department.objects.visible_to(request.user)
        .select_related("school")
        .annotate(
            class_count=Count("classes", filter=Q(classes__is_active=True), distinct=True),
            student_count=Count(
                "classes__students",
                filter=Q(classes__students__is_active=True, classes__is_active=True),
            ),
        )
        # Django drops Meta.ordering from GROUP BY queries: order explicitly.
        .order_by("school__name", "name")
    )
    if request.GET.get("show") != "all":
        departments = departments.filter(is_active=True)
    return render(request, "counseling/department_list.html", {"departments": departments})


@login_required
@require_perm("counseling.see_network")
def department_detail(request, pk):
    department = visible_or_404(Department, request.user, pk=pk)
    classes = (
        SchoolClass.objects.visible_to(request.user)
        .filter(department=department)
        .select_related("class_teacher")
        .with_student_count()
        .order_by("-enrolment_year", "name")
    )
    return render(
        request,
        "counseling/department_detail.html",
        {"department": department, "classes": classes},
    )


@login_required
@require_perm("counseling.manage_network")
def department_edit(request, pk=None):
    school = school_of(request)
    department = (
        visible_or_404(Department, request.user, pk=pk) if pk else Department(school=school)
    )
    form = DepartmentForm(
        request.POST or None, instance=department, user=request.user, school=department.school
    )
    if request.method == "POST" and form.is_valid():
        department = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Department saved."))
        return redirect("counseling:department-detail", pk=department.pk)
    return render(
        request,
        "counseling/form.html",
        {"form": form, "title": _("Department"), "back": "counseling:department-list"},
    )


def _set_active(request, obj, active):
    with transaction.atomic():
        obj.is_active = active
        obj.save(update_fields=["is_active", "updated_at"])
        obj.log_action(
            request.user, Action.REACTIVATE if active else Action.DEACTIVATE, request=request
        )


@login_required
@require_POST
@require_perm("counseling.manage_network")
def department_toggle(request, pk):
    department = visible_or_404(Department, request.user, pk=pk)
    _set_active(request, department, not department.is_active)
    messages.success(
        request,
        _("Department reactivated.")
        if department.is_active
        else _("Department deactivated; its history is kept."),
    )
    return redirect("counseling:department-detail", pk=pk)


@login_required
@require_perm("counseling.see_network")
def class_list(request):
    classes = (
        SchoolClass.objects.visible_to(request.user)
        .select_related("department", "class_teacher")
        .with_student_count()
        # Pages need a stable order, and GROUP BY queries lose Meta.ordering.
        .order_by("department__name", "-enrolment_year", "name", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        classes = classes.filter(Q(name__icontains=query) | Q(department__name__icontains=query))
    department = request.GET.get("department")
    if department and department.isdigit():
        classes = classes.filter(department_id=department)
    if request.GET.get("show") != "all":
        classes = classes.filter(is_active=True)
    departments = Department.objects.visible_to(request.user).filter(is_active=True)
    return render(
        request,
        "counseling/class_list.html",
        {
            "page": paginate(request, classes),
            "query": query,
            "departments": departments,
            "department": department,
        },
    )


@login_required
@require_perm("counseling.see_network")
def class_detail(request, pk):
    """A class and its roster."""
    school_class = get_object_or_404(
        SchoolClass.objects.visible_to(request.user).select_related("department", "class_teacher"),
        pk=pk,
    )
    students = Student.objects.visible_to(request.user).filter(
        school_class=school_class, is_active=True
    )
    query = request.GET.get("q", "").strip()
    if query:
        students = students.filter(Q(name__icontains=query) | Q(student_number__icontains=query))
    return render(
        request,
        "counseling/class_detail.html",
        {
            "school_class": school_class,
            "page": paginate(request, students, per_page=60),
            "query": query,
        },
    )


@login_required
@require_perm("counseling.manage_network")
def class_edit(request, pk=None):
    school = school_of(request)
    school_class = visible_or_404(SchoolClass, request.user, pk=pk) if pk else SchoolClass()
    if pk:
        school = school_class.department.school
    initial = {}
    if not pk and request.GET.get("department", "").isdigit():
        initial["department"] = request.GET["department"]
    form = SchoolClassForm(
        request.POST or None,
        instance=school_class,
        user=request.user,
        school=school,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        school_class = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Class saved."))
        return redirect("counseling:class-detail", pk=school_class.pk)
    return render(
        request,
        "counseling/form.html",
        {"form": form, "title": _("Class"), "back": "counseling:class-list"},
    )


@login_required
@require_POST
@require_perm("counseling.manage_network")
def class_toggle(request, pk):
    school_class = visible_or_404(SchoolClass, request.user, pk=pk)
    _set_active(request, school_class, not school_class.is_active)
    messages.success(
        request,
        _("Class reactivated.")
        if school_class.is_active
        else _("Class deactivated; its history is kept."),
    )
    return redirect("counseling:class-detail", pk=pk)


@login_required
@require_perm("counseling.see_network")
def student_list(request):
    access = access_of(request.user)
    if (
        not access.is_sysadmin
        and access.school_ids
        and access.school_ids <= access.whole_school_ids
    ):
        # The same rows as visible_to (a student belongs to their class's school), read by
        # the student's own school: the page walks (school, student_number) and stops at its
        # LIMIT, and the count needs no join, where the class scope sorted 30,000 students.
        students = Student.objects.filter(school__in=access.whole_school_ids)
    else:
        students = Student.objects.visible_to(request.user)
    students = students.select_related("school_class__department")
    query = request.GET.get("q", "").strip()
    if query:
        students = students.filter(Q(name__icontains=query) | Q(student_number__icontains=query))
    if request.GET.get("out_of_town") == "1":
        students = students.filter(out_of_town=True)
    if request.GET.get("show") != "all":
        students = students.filter(is_active=True)
    return render(
        request,
        "counseling/student_list.html",
        {"page": paginate(request, students), "query": query},
    )


@login_required
@require_perm("counseling.manage_network")
def student_edit(request, pk=None):
    school = school_of(request)
    student = visible_or_404(Student, request.user, pk=pk) if pk else Student(school=school)
    if pk:
        school = student.school
    initial = {}
    if not pk and request.GET.get("class", "").isdigit():
        initial["school_class"] = request.GET["class"]
    form = StudentForm(
        request.POST or None, instance=student, user=request.user, school=school, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        student = audit.save_form(form, request.user, request=request)
        messages.success(request, _("Student saved."))
        return redirect("counseling:class-detail", pk=student.school_class_id)
    return render(
        request,
        "counseling/form.html",
        {"form": form, "title": _("Student"), "back": "counseling:student-list"},
    )
