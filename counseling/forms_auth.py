from django.contrib.auth.forms import PasswordChangeForm

from counseling import audit


class PortalPasswordChangeForm(PasswordChangeForm):
    """Clears the one-time-password flag and records the change."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
            audit.record(user, audit.AuditEntry.Action.PASSWORD, user, label=user.get_username())
        return user
