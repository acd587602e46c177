from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def week_label(number):
    """第3周 in Chinese, Week 3 in English."""
    if number is None:
        return ""
    return _("Week %(n)s") % {"n": number}


@register.filter
def small_count(count, exact=False):
    """A count above the class level as a non-counselor may see it: 1 and 2 become "<3".

    `{{ n|small_count:is_counselor }}`: exact when the argument is true; without one the
    count is suppressed (fail closed). Zero and None pass through.
    """
    if exact or count is None or not isinstance(count, int) or not 0 < count < 3:
        return count
    return "<3"


@register.filter
def percent(rate):
    """A rate between 0 and 1 as a whole percentage ("85%"), or "—" when there is none."""
    if rate is None or rate == "":
        return "—"
    return f"{round(float(rate) * 100)}%"
