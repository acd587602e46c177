"""The figures' three charts, drawn by committees/charts.py (the code the pages use)."""

from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from committees.barometer.models import WEATHER_COLOURS, Weather
from committees.board import charts
from committees.board.queries import suppress
from counseling.templatetags.portal import colon, week_label

COMPLETENESS_COLOUR = "#198754"
TIMELINESS_COLOUR = "#0d6efd"
ATTENDANCE_COLOUR = "#3d6fb6"


def _weather_by_week(data, counselor):
    labels = {w.value: str(w.label) for w in Weather}
    distribution = {
        week: {
            weather: suppress(count, counselor)
            for weather, count in zip(data["weather"], counts, strict=False)
        }
        for week, counts in zip(data["weeks"], data["counts"], strict=False)
    }
    return charts.weather_distribution(
        data["weeks"],
        distribution,
        labels=labels,
        colours=WEATHER_COLOURS,
        title=_("Weather by week"),
        caption=_("week"),
        tip=lambda w, v, n: f"{week_label(w)} · {colon(labels[v])}{n}",
        note=_("Counts below 3 are not drawn."),
    )


def _rates(weeks, values):
    # The charts take rates from 0 to 1; the figures keep percentages.
    return {w: (v / 100 if v is not None else None) for w, v in zip(weeks, values, strict=False)}


def _filing_by_week(data, counselor):
    weeks = data["weeks"]
    return charts.percent_bars(
        weeks,
        [
            (_("Completeness"), COMPLETENESS_COLOUR, _rates(weeks, data["completeness"])),
            (_("Timeliness"), TIMELINESS_COLOUR, _rates(weeks, data["timeliness"])),
        ],
        title=_("Barometer filing by week"),
        caption=_("week"),
        tip=lambda w, label, text: f"{week_label(w)} · {colon(label)}{text}",
    )


def _attendance_by_department(data, counselor):
    return charts.hbars(
        list(zip(data["labels"], data["values"], strict=False)),
        title=_("Committee attendance by department (%)"),
        colour=ATTENDANCE_COLOUR,
    )


CHART_TITLES = {
    "weather_by_week": gettext_lazy("Weather by week"),
    "filing_by_week": gettext_lazy("Barometer filing by week"),
    "attendance_by_department": gettext_lazy("Committee attendance by department (%)"),
}

DRAWERS = {
    "weather_by_week": _weather_by_week,
    "filing_by_week": _filing_by_week,
    "attendance_by_department": _attendance_by_department,
}


def chart_svg(figures, name, *, counselor=False):
    """One chart of a FigureSet (live or from a snapshot) as a complete <svg> string.

    As on the barometer's trend pages, the weather counts 1 and 2 are left out of the
    chart for anyone but a counselor (`counselor=False`, the default, fails closed)."""
    return DRAWERS[name](figures.charts[name], counselor)


def titled_charts(figures, *, counselor=False):
    """[(title, svg marked safe)] of every chart, in CHART_TITLES order, for a page."""
    return [
        (str(title), mark_safe(chart_svg(figures, name, counselor=counselor)))
        for name, title in CHART_TITLES.items()
        if name in figures.charts
    ]
