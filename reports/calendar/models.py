"""The calendar's one table: each person's secret feed link (app label `reports`)."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_calendar_token():
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """A person's secret calendar link. The feed is read by calendar apps that cannot sign
    in, so the token alone opens it; resetting it cuts off every copy of the old link."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d}"

    @classmethod
    def for_user(cls, user):
        token, _created = cls.objects.get_or_create(user=user)
        return token

    def reset(self):
        self.token = new_calendar_token()
        self.created_at = timezone.now()
        self.last_used_at = None
        self.save(update_fields=["token", "created_at", "last_used_at"])
