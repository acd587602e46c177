from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from counseling.models import Department, SchoolClass, Semester, Student
from counseling.panels import panels_for
from counseling.permissions import access_of


@login_required
def home(request):
    """One page per person: each role adds its own panel; later apps fill them in."""
    access = access_of(request.user)
    school = access.primary_school
    context = {"school": school, "roles": access.role_names}
    if school is not None:
        semester = Semester.objects.current(school)
        if semester is not None:
            semester.school = school  # the panels read it: the school is here already
        context["semester"] = semester
        if semester:
            context["week"] = semester.current_week()
    if request.user.has_perm("counseling.see_whole_school") and school is not None:
        context["figures"] = Department.objects.filter(school=school, is_active=True).aggregate(
            departments=Count("pk", distinct=True),
            classes=Count("classes", filter=Q(classes__is_active=True), distinct=True),
        )
        context["figures"]["students"] = Student.objects.filter(
            school=school, is_active=True
        ).count()
    context["my_classes"] = (
        SchoolClass.objects.visible_to(request.user)
        .filter(pk__in=access.teacher_class_ids)
        .with_student_count()
        .select_related("department")
    )
    context["my_departments"] = Department.objects.filter(pk__in=access.liaison_department_ids)
    context["panels"] = panels_for(
        request,
        {
            "school": school,
            "semester": context.get("semester"),
            "week": context.get("week"),
            "access": access,
        },
    )
    return render(request, "counseling/home.html", context)
