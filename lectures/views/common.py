"""What the lecture, activity and feedback pages share: the semester shown, scoped lookups."""

from django.shortcuts import get_object_or_404

from counseling.views.helpers import pick_semester  # noqa: F401  (the views import it from here)
from lectures.models import ActivitySession, Lecture, LectureSession


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
