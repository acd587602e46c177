"""The coverage page: reach against the roster this semester."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.urls import reverse

from counseling.views.helpers import pick_semester, require_perm
from lectures.activities.models import ActivitySession
from lectures.coverage import services
from lectures.events.models import Lecture, Status
from lectures.events.services import series_reach


@login_required
@require_perm("lectures.see_coverage")
def coverage(request):
    """Reach against the roster this semester: per department and grade, each lecture and
    activity design, and the classes nothing has reached yet."""
    semester = pick_semester(request)
    data = services.coverage(semester)
    lectures = (
        Lecture.objects.visible_to(request.user)
        .for_semester(semester)
        .exclude(status=Status.CANCELLED)
    )
    per_lecture = [(lecture, series_reach(lecture)) for lecture in lectures]
    activities = (
        ActivitySession.objects.visible_to(request.user)
        .for_semester(semester)
        .filter(status=Status.HELD)
        .values("design__pk", "design__name")
        .annotate(
            sessions=Count("pk"),
            classes=Count("school_class", distinct=True),
            participants=Sum("participants"),
        )
        .order_by("design__name")
    )
    return render(
        request,
        "lectures/coverage.html",
        {
            "semester": semester,
            "data": data,
            "per_lecture": per_lecture,
            "activities": activities,
            "exact": request.user.has_perm("lectures.manage"),
            "lecture_url": reverse("lectures:lecture-list"),
        },
    )
