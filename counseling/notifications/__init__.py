"""Notifications for the whole portal: the inbox, e-mail and a school's group robot.

Every app declares the kinds it sends when it starts (in its AppConfig.ready()) and calls
notify() inside the transaction of the action that causes the notification:

    from counseling.notifications import notify, register_kind

    register_kind("committees.meeting_reminder", label=_("Meeting reminders"), webhook=True)
    ...
    with transaction.atomic():
        attendance.save()
        notify(members, "committees.meeting_reminder", title, body, url=meeting_url)

The database is the source of truth, not the broker: notify() writes the inbox rows and one
Delivery per outside channel in the caller's transaction, and only after commit asks Celery
to send them. A broker that is down or hangs leaves the deliveries pending, and
`manage.py requeue_notifications` (run by cron or systemd, not by Celery beat) sends them later.

This package is imported while the model registry is still loading (apps import
register_kind in their apps.py), so it must not import models at module level.
"""

from counseling.notifications import permissions  # noqa: F401  (registers the rules)
from counseling.notifications.registry import Kind, get_kind, kinds, register_kind

__all__ = ["Kind", "get_kind", "kinds", "notify", "register_kind"]


def notify(recipients, kind, title, body="", url=""):
    """Notify one user or many; see counseling.notifications.services.notify."""
    from counseling.notifications.services import notify as _notify

    return _notify(recipients, kind, title, body=body, url=url)
