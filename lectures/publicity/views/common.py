"""What the publicity pages share: who manages publicity, and what others see of it."""

from django.utils import timezone


def can_manage(user):
    return user.has_perm("lectures.manage_publicity")


def published_only(user):
    """Non-managers see what is out (issues up, letters published), not what is drafted."""
    return not can_manage(user)


def today():
    return timezone.localdate()
