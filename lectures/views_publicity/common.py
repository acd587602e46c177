"""Helpers shared by the publicity views."""

import hashlib
import mimetypes
import os

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, Http404
from django.utils import timezone

from counseling.models import Semester
from counseling.views.helpers import pick_semester  # noqa: F401  (the views import it from here)


def semesters_of(semester, user):
    return Semester.objects.visible_to(user).filter(school=semester.school)


def can_manage(user):
    return user.has_perm("lectures.manage_publicity")


def published_only(user):
    """Non-managers see what is out (issues up, letters published), not what is drafted."""
    return not can_manage(user)


def today():
    return timezone.localdate()


def serve_file(field, name, *, inline):
    """A stored file under a name we choose (never the uploader's), with its own type."""
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


def rate_key(prefix, user):
    """The cache key of a user's counter: a hash, so the cache never holds who asked what."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{prefix}:{user.pk}".encode()).hexdigest()
    return f"{prefix}-rate:{digest}"


def over_rate(prefix, user, limit, window):
    """True once a user has done something more than `limit` times in `window` seconds."""
    key = rate_key(prefix, user)
    try:
        if cache.add(key, 1, timeout=window):
            return False
        return cache.incr(key) > limit
    except Exception:  # a cache that is down must not stop the action
        return False
