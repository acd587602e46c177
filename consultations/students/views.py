"""Suggestions for the student fields: counselors only, their school only, a few rows."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from consultations.shared.access import counselor_school
from consultations.students import services


@never_cache
def search(request):
    # Names of students a counselor looks up for a case are tier-3 context: 403 for anyone
    # but a counselor of the school (counselor_school), and nothing kept in a cache.
    school = counselor_school(request)
    rows = services.search(request.user, school, request.GET.get("q", "")[:60])
    return JsonResponse(
        {
            "results": [
                {
                    "value": s.student_number,
                    "label": f"{s.name} · {s.school_class.name}",
                    "number": s.student_number,
                    "name": s.name,
                    "class": s.school_class.name,
                }
                for s in rows
            ]
        }
    )
