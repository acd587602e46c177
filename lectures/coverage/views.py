"""The coverage page: reach against the roster this semester."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.shortcuts import render
from django.urls import reverse

from counseling.views.helpers import pick_semester, require_perm
from lectures.activities.models import ActivitySession
from lectures.coverage import services
from lectures.events.models import Lecture, SessionClass, Status


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
    # series_reach() of each lecture in one grouped query (one per lecture before).
    reach = {
        row["session__lecture"]: row
        for row in SessionClass.objects.filter(
            session__lecture__in=lectures, session__status=Status.HELD
        )
        .order_by()
        .values("session__lecture")
        .annotate(classes=Count("school_class", distinct=True), students=Sum("actual"))
    }
    per_lecture = [
        (lecture, reach.get(lecture.pk, {"classes": 0, "students": None}))
        for lecture in lectures.only("pk", "title")
    ]
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
