from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from counseling import audit
from counseling.auth.policy import start_session


@receiver(user_logged_in)
def _record_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        start_session(request, user)
    audit.record(user, audit.AuditEntry.Action.LOGIN, request=request, label=user.get_username())


@receiver(user_logged_out)
def _record_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record(
            user, audit.AuditEntry.Action.LOGOUT, request=request, label=user.get_username()
        )
