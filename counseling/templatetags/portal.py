from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from counseling import nav
from counseling.models import Semester

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


@register.filter
def colon(label):
    """A label followed by a colon: "Speaker: " in English, "主讲人：" in Chinese.

    `{{ _("Speaker")|colon }}{{ lecture.speaker }}` — the separator carries its own spacing,
    so the template puts nothing between it and the value.
    """
    separator = pgettext("label separator", ": ")
    return f"{label}{separator}"


@register.filter
def date_range(start, end):
    """Two dates as a period: both ends, "from …" or "until …" when one is open, else "open-ended"."""
    if start and end:
        return f"{date_filter(start, 'DATE_FORMAT')} – {date_filter(end, 'DATE_FORMAT')}"
    if start:
        return _("from %(date)s") % {"date": date_filter(start, "DATE_FORMAT")}
    if end:
        return _("until %(date)s") % {"date": date_filter(end, "DATE_FORMAT")}
    return _("open-ended")


@register.inclusion_tag("includes/semester_picker.html", takes_context=True)
def semester_picker(context, semester):
    """The semester drop-down of a list page: the semesters of `semester`'s school that the
    signed-in user may see (one query), the current one selected."""
    user = context["request"].user
    semesters = Semester.objects.visible_to(user).filter(school_id=semester.school_id)
    return {"semester": semester, "semesters": semesters}


@register.simple_tag(takes_context=True)
def main_menu(context):
    """The main menu's entries the signed-in person may see (counseling.nav)."""
    return nav.menu_for(context["request"])


@register.simple_tag(takes_context=True)
def page_query(context, number, param="page"):
    """The current query string with `param` set to `number`: like `{% querystring %}`, with
    the parameter's name a variable, so that two lists on one page keep a page each."""
    query = context["request"].GET.copy()
    query[param] = number
    return f"?{query.urlencode()}"
