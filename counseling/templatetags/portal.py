from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def week_label(number):
    """第3周 in Chinese, Week 3 in English."""
    if number is None:
        return ""
    return _("Week %(n)s") % {"n": number}
