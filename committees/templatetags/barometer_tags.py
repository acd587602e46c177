"""Weather icons, colours and labels for the barometer's templates."""

from django import template

from committees.barometer.models import WEATHER_COLOURS, WEATHER_ICONS
from committees.models import Weather

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


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
