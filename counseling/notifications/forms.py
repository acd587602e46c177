from django import forms
from django.utils.translation import gettext_lazy as _

from counseling.notifications.models import WebhookChannel


class PreferencesForm(forms.Form):
    """One checkbox per kind and outside channel; the inbox is always on."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for spec, chosen in rows:
            names = {}
            for channel, value in chosen.items():
                name = f"{spec.key}:{channel}"
                self.fields[name] = forms.BooleanField(
                    required=False, initial=value, disabled=not spec.allows(channel)
                )
                names[channel] = name
            self.rows.append((spec, {c: self[n] for c, n in names.items()}))

    def choices(self):
        chosen = {}
        for name, value in self.cleaned_data.items():
            key, channel = name.rsplit(":", 1)
            chosen.setdefault(key, {})[channel] = value
        return chosen


class WebhookChannelForm(forms.ModelForm):
    """The school's robot. The secret is never shown again; left empty, it is kept."""

    url = forms.URLField(
        label=_("Webhook address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("The robot's address, as shown when the robot is added to the group."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "DingTalk only: the secret starting with SEC when the robot signs its messages. "
            "Leave empty to keep the current one."
        ),
    )
    clear_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = WebhookChannel
        fields = ["provider", "url", "secret", "keyword", "is_active"]

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        if not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError(_("The address must start with https:// or http://."))
        return url

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_secret"):
            cleaned["secret"] = ""
        elif not cleaned.get("secret") and self.instance.pk:
            cleaned["secret"] = WebhookChannel.objects.get(pk=self.instance.pk).secret
        if cleaned.get("secret") and cleaned.get("provider") != WebhookChannel.Provider.DINGTALK:
            self.add_error("secret", _("Only DingTalk robots sign their messages."))
        return cleaned
