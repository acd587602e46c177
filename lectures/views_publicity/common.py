"""Helpers shared by the publicity views."""

from django.utils import timezone

from counseling.views.helpers import pick_semester  # noqa: F401  (the views import it from here)
from counseling.views.helpers import serve_upload as serve_file  # noqa: F401


def can_manage(user):
    return user.has_perm("lectures.manage_publicity")


def published_only(user):
    """Non-managers see what is out (issues up, letters published), not what is drafted."""
    return not can_manage(user)


def today():
    return timezone.localdate()
