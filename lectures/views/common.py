"""What the lecture, activity and feedback pages share: the semester shown, scoped lookups."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from counseling.models import Semester
from counseling.permissions import access_of
from lectures.models import ActivitySession, Lecture, LectureSession


def pick_semester(request):
    """The semester named in ?semester=, else the school's current one."""
    semesters = Semester.objects.visible_to(request.user)
    wanted = request.GET.get("semester", "")
    if wanted.isdigit():
        semester = semesters.filter(pk=wanted).select_related("school").first()
        if semester:
            return semester
    school = access_of(request.user).primary_school
    semester = Semester.objects.current(school) if school else None
    if semester is None:
        raise Http404("no semester")
    return semester


def semesters_of(user, school):
    return Semester.objects.visible_to(user).filter(school=school)


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


def activity_session_or_404(request, pk):
    return get_object_or_404(
        ActivitySession.objects.visible_to(request.user).select_related(
            "design__school", "semester", "venue", "school_class"
        ),
        pk=pk,
    )
