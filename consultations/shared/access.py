"""Helpers shared by the consultation room's views."""

from django.core.exceptions import PermissionDenied

from counseling.views.helpers import school_of


def counselor_school(request):
    """The school a counselor works for; 403 for anyone else."""
    if not request.user.has_perm("consultations.counsel"):
        raise PermissionDenied
    school = school_of(request)
    if school.pk not in request.user.access.counselor_school_ids:
        raise PermissionDenied
    return school


def is_head(request, school):
    return school.pk in request.user.access.head_counselor_school_ids
