"""Notification texts of the consultation room: a time and nothing else.

E-mails and robot messages leave the portal, so they say "a consultation at 14:00" and
never the reason, the category, or anyone's name but the recipient's own (DESIGN.md tier 3).
"""

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext


def when(starts_at):
    """ "12月3日 14:00" in the portal's language."""
    local = timezone.localtime(starts_at)
    with translation.override(settings.LANGUAGE_CODE):
        return f"{formats.date_format(local, 'MONTH_DAY_FORMAT')} {local:%H:%M}"


def say(message, **values):
    """A message in the portal's language, whoever triggered it (the recipient reads it)."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext(message) % values if values else gettext(message)
