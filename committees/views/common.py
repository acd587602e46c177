from django.http import Http404

from counseling.models import Semester
from counseling.permissions import access_of


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
