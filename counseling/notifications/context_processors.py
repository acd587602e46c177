"""The bell's unread count, for every page of a signed-in user."""

from django.utils.functional import SimpleLazyObject

from counseling.notifications.models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: one COUNT query, and only on pages that show the bell.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user).unread().count()
        )
    }
