from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(delta):
    """A wait as "2 hours 5 minutes" / "2小时5分钟"; under a minute counts as one."""
    if delta is None:
        return ""
    minutes = max(1, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if minutes and not days:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes})
    return " ".join(parts)


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
