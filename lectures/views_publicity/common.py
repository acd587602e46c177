"""Helpers shared by the publicity views."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from counseling.models import Semester
from counseling.views.helpers import pick_semester  # noqa: F401  (the views import it from here)
from counseling.views.helpers import serve_upload as serve_file  # noqa: F401


def semesters_of(semester, user):
    return Semester.objects.visible_to(user).filter(school=semester.school)


def can_manage(user):
    return user.has_perm("lectures.manage_publicity")


def published_only(user):
    """Non-managers see what is out (issues up, letters published), not what is drafted."""
    return not can_manage(user)


def today():
    return timezone.localdate()


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
