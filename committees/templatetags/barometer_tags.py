"""Weather icons and the counselor's red-alert count, for the barometer's templates."""

from django import template

from committees.barometer.models import WEATHER_COLOURS, WEATHER_ICONS
from committees.models import Alert, Weather

register = template.Library()


@register.filter
def weather_icon(value):
    return WEATHER_ICONS.get(_int(value), "bi-question-circle")


@register.filter
def weather_colour(value):
    return WEATHER_COLOURS.get(_int(value), "#6c757d")


@register.filter
def weather_label(value):
    value = _int(value)
    return Weather(value).label if value in Weather.values else ""


@register.simple_tag
def open_red_alerts(user):
    """Open red alerts the user may see: one COUNT for counselors, no query for others
    (their alert scope is empty)."""
    return Alert.objects.visible_to(user).open().filter(grade=Alert.Grade.RED).count()


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
