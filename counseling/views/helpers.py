"""Small helpers shared by the views of every app."""

import mimetypes
import os
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from counseling.models import Semester
from counseling.permissions import access_of

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE):
    """One page of a list; a bad or too large page number gives the last page, not an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def require_perm(perm):
    """403 for signed-in users without the permission (login is enforced site-wide first)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def visible_or_404(model, user, **lookup):
    """An object the user may see, else 404 (strangers learn nothing of what exists)."""
    return get_object_or_404(model.objects.visible_to(user), **lookup)


def school_of(request):
    school = access_of(request.user).primary_school
    if school is None:
        raise Http404("no school")
    return school


def pick_semester(request):
    """The semester named in ?semester= (if the user may see it), else the school's current
    one; 404 when the school has none yet."""
    wanted = request.GET.get("semester", "")
    if wanted.isdigit():
        semester = (
            Semester.objects.visible_to(request.user)
            .filter(pk=wanted)
            .select_related("school")
            .first()
        )
        if semester:
            return semester
    school = access_of(request.user).primary_school
    semester = Semester.objects.current(school) if school else None
    if semester is None:
        raise Http404("no semester")
    semester.school = school  # read with the roles already: pages name it, settings need it
    return semester


def serve_upload(field, name, *, inline=False):
    """A stored upload, to someone a view has already let in, under a name we choose
    (never the uploader's) and with its own type; 404 when the file is gone."""
    if not field:
        raise Http404("no file")
    ext = os.path.splitext(field.name)[1].lower()
    try:
        handle = field.open("rb")
    except FileNotFoundError as missing:
        raise Http404("file missing") from missing
    content_type = mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
    response = FileResponse(
        handle, as_attachment=not inline, filename=f"{name}{ext}", content_type=content_type
    )
    # Uploaded files are shown as data, never run as a page of the portal.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response
