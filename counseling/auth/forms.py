from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from counseling import audit


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        return self.cleaned_data["token"].strip().replace(" ", "")


class PortalPasswordChangeForm(PasswordChangeForm):
    """Clears the one-time-password flag and records the change."""

    def save(self, commit=True):
        user = super().save(commit=False)
        user.must_change_password = False
        if commit:
            user.save()
            audit.record(user, audit.AuditEntry.Action.PASSWORD, user, label=user.get_username())
        return user
