from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def countdown(letter, now=None):
    """What remains before a letter's reply is due, in days and hours (or how late it is)."""
    left = letter.time_left(now)
    if left is None:
        return ""
    hours = int(abs(left.total_seconds()) // 3600)
    values = {"d": hours // 24, "h": hours % 24}
    if left.total_seconds() < 0:
        return _("%(d)s d %(h)s h overdue") % values
    return _("%(d)s d %(h)s h left") % values


@register.filter
def risk_class(level):
    return {"red": "danger", "orange": "warning", "yellow": "warning-subtle"}.get(
        level, "secondary"
    )
