"""Small SVG charts drawn on the server, with no library: the same markup goes into a page
(through `mark_safe` at the template boundary) and into a WeasyPrint PDF.

Every function returns a complete, well-formed `<svg>` string. All text passed in is
escaped here. WeasyPrint's inline SVG text does not inherit the page's font, so each
`<svg>` and each `<text>` names a CJK-capable font family itself. Each chart has
role="img", an aria-label and a <title>, and each bar or point a <title> with its value.

Size: the <svg> has its natural width and height and `max-width: 100%`. A web page should
add `svg.chart { height: auto }` so that a narrowed chart keeps its proportions; that rule
stays out of the markup because WeasyPrint then gives each chart a page of its own.

Counts that must not be shown exactly (below 3, above the class level, for anyone but a
counselor) are passed in as None by the caller: the charts draw nothing for them and say
"<3" where they would have written the number. See `committees.board.queries.suppress`.
"""

from html import escape

FONT_FAMILY = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", sans-serif'
TEXT = "#212529"
MUTED = "#6c757d"
GRID = "#dee2e6"
SHADE = "#f1f3f5"
SUPPRESSED = "<3"
WIDE = 560  # the week charts; the page lets them shrink (max-width) or scroll

__all__ = [
    "FONT_FAMILY",
    "hbars",
    "percent_bars",
    "weather_by_week",
    "weather_distribution",
]


def _e(value):
    return escape(str(value), quote=True)


def _num(value):
    """Coordinates with at most one decimal, no trailing zeros."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text, size):
    """A rough width of a label: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.56 for ch in str(text))


class Svg:
    """An <svg> being drawn: shapes and text appended, the whole returned by `render`."""

    def __init__(self, width, height, title, desc=""):
        self.width, self.height = width, height
        self.title, self.desc = title, desc
        self.parts = []

    def add(self, markup):
        self.parts.append(markup)

    def text(self, x, y, content, *, size=11, anchor="start", fill=TEXT, weight=None, cls=None):
        extra = f' font-weight="{weight}"' if weight else ""
        extra += f' class="{_e(cls)}"' if cls else ""
        self.add(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}" '
            f'fill="{fill}" font-family="{_e(FONT_FAMILY)}"{extra}>{_e(content)}</text>'
        )

    def rect(self, x, y, w, h, fill, *, cls=None, tip=None, extra=""):
        attrs = f' class="{_e(cls)}"' if cls else ""
        body = f"<title>{_e(tip)}</title>" if tip is not None else ""
        self.add(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(max(w, 0))}" '
            f'height="{_num(max(h, 0))}" fill="{_e(fill)}"{attrs}{extra}>{body}</rect>'
        )

    def line(self, x1, y1, x2, y2, stroke=GRID, width=1, dash=None):
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        self.add(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            f'stroke="{stroke}" stroke-width="{width}"{extra}/>'
        )

    def legend(self, items, x, y, size=11, right=None):
        """Colour swatches and labels in a row, wrapping to the next line when full.

        With `right`, a legend that fits on one line ends there instead: it stays in sight
        when a narrow screen scrolls the chart to its latest weeks.
        """
        steps = [14 + text_width(label, size) + 14 for label, _c in items]
        if right is not None and sum(steps) - 14 <= right - x:
            x = right - (sum(steps) - 14)
        cx, cy = x, y
        for (label, colour), step in zip(items, steps, strict=True):
            if cx + step - 14 > self.width - 4 and cx > x:
                cx, cy = x, cy + size + 8
            self.rect(cx, cy - size + 1, 10, 10, colour)
            self.text(cx + 14, cy, label, size=size, fill=TEXT)
            cx += step
        return cy

    def render(self):
        desc = f"<desc>{_e(self.desc)}</desc>" if self.desc else ""
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-label="{_e(self.title)}" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" style="max-width: 100%" '
            f'preserveAspectRatio="xMinYMin meet" '
            f'font-family="{_e(FONT_FAMILY)}">'
            f"<title>{_e(self.title)}</title>{desc}{''.join(self.parts)}</svg>"
        )


def _week_axis(svg, weeks, left, plot_w, bottom, caption, shaded=()):
    """Week numbers under the plot; weeks in `shaded` get a grey band (no report expected)."""
    slot = plot_w / max(len(weeks), 1)
    every = 1 if len(weeks) <= 24 else 2
    for i, week in enumerate(weeks):
        if i % every == 0:
            svg.text(
                left + slot * (i + 0.5), bottom + 14, week, size=11, anchor="middle", fill=MUTED
            )
    if caption:
        svg.text(left + plot_w, bottom + 28, caption, size=11, anchor="end", fill=MUTED)
    return slot


def weather_by_week(weeks, weather, *, labels, colours, title, shaded=(), caption="", tip=None):
    """One class's weather week by week: a point per week filed, on a 1–5 scale, joined by a
    line where consecutive weeks were filed.

    weeks: the week numbers on the x axis; weather: {week: 1..5}; labels/colours:
    {1..5: name / colour}; shaded: weeks without a report expected (drawn as a grey band);
    tip(week, value) → the text of a point's tooltip.
    """
    size = 11
    left = max(text_width(labels[v], size) for v in labels) + 22
    width, top, plot_h = WIDE, 14, 170
    right = 12
    plot_w = width - left - right
    bottom = top + plot_h
    svg = Svg(width, bottom + 34, title)
    slot = plot_w / max(len(weeks), 1)
    for i, week in enumerate(weeks):
        if week in shaded:
            svg.rect(left + slot * i, top, slot, plot_h, SHADE, cls="shade")
    steps = sorted(labels)

    def y_of(value):
        # Sunny at the top, thunderstorm at the bottom: down is worse.
        return top + (value - steps[0]) * plot_h / max(len(steps) - 1, 1)

    for value in steps:
        y = y_of(value)
        svg.line(left, y, left + plot_w, y)
        svg.text(left - 16, y + 4, labels[value], size=size, anchor="end")
        svg.add(f'<circle cx="{_num(left - 8)}" cy="{_num(y)}" r="4" fill="{_e(colours[value])}"/>')
    _week_axis(svg, weeks, left, plot_w, bottom + 4, caption)
    points = [(i, w, weather[w]) for i, w in enumerate(weeks) if weather.get(w)]
    run = []
    for n, (i, _week, value) in enumerate(points):
        run.append((left + slot * (i + 0.5), y_of(value)))
        follows = n + 1 < len(points) and points[n + 1][0] == i + 1
        if not follows:
            if len(run) > 1:
                path = " ".join(f"{_num(x)},{_num(y)}" for x, y in run)
                svg.add(
                    f'<polyline points="{path}" fill="none" stroke="{MUTED}" stroke-width="1.5"/>'
                )
            run = []
    for i, week, value in points:
        label = tip(week, value) if tip else f"{week}: {labels[value]}"
        svg.add(
            f'<circle class="point" cx="{_num(left + slot * (i + 0.5))}" cy="{_num(y_of(value))}" '
            f'r="5.5" fill="{_e(colours[value])}" stroke="#fff" stroke-width="1.5">'
            f"<title>{_e(label)}</title></circle>"
        )
    return svg.render()


def _y_grid(svg, left, plot_w, top, plot_h, top_value, ticks, fmt=str):
    for k in range(ticks + 1):
        value = top_value * k / ticks
        y = top + plot_h - plot_h * k / ticks
        svg.line(left, y, left + plot_w, y)
        svg.text(left - 5, y + 4, fmt(value), size=11, anchor="end", fill=MUTED)


def _nice_max(value, ticks=4):
    """A round top for a count axis with `ticks` steps: 4, 8, 12, 20, 40, 60, 100 ..."""
    for step in (1, 2, 3, 5, 10, 15, 20, 25, 50, 75, 100, 150, 200, 250, 500, 1000):
        if value <= step * ticks:
            return step * ticks
    return value


def weather_distribution(
    weeks, distribution, *, labels, colours, title, caption="", tip=None, note=""
):
    """Stacked bars: for each week, how many classes reported each weather.

    distribution: {week: {weather: count}}; a count of None is suppressed: not drawn, and
    `note` (e.g. "counts below 3 are not drawn") is written above the plot. One
    <rect class="bar"> per non-zero count drawn. tip(week, weather, count_text) → a
    segment's tooltip.
    """
    width, top, plot_h, left, right = WIDE, 14, 170, 34, 10
    plot_w = width - left - right
    bottom = top + plot_h
    svg = Svg(width, bottom, title)
    totals = [sum(v or 0 for v in distribution.get(w, {}).values()) for w in weeks]
    top_value = _nice_max(max(totals, default=0))
    _y_grid(svg, left, plot_w, top, plot_h, top_value, 4, lambda v: str(round(v)))
    slot = _week_axis(svg, weeks, left, plot_w, bottom + 4, caption)
    bar_w = min(slot * 0.7, 28)
    suppressed_any = False
    for i, week in enumerate(weeks):
        counts = distribution.get(week, {})
        y = bottom
        x = left + slot * (i + 0.5) - bar_w / 2
        for value in sorted(labels):
            count = counts.get(value, 0)
            if count is None:
                suppressed_any = True
                continue
            if not count:
                continue
            h = plot_h * count / top_value
            y -= h
            label = tip(week, value, str(count)) if tip else f"{week} · {labels[value]}: {count}"
            svg.rect(x, y, bar_w, h, colours[value], cls="bar", tip=label)
    end = svg.legend(
        [(labels[v], colours[v]) for v in sorted(labels)], left, bottom + 48, right=width - right
    )
    if suppressed_any and note:
        end += 18
        svg.text(width - right, end, note, size=11, anchor="end", fill=MUTED)
    svg.height = end + 8
    return svg.render()


def percent_bars(weeks, series, *, title, caption="", tip=None):
    """Grouped bars from 0 to 100 %, per week: e.g. completeness and timeliness.

    series: [(label, colour, {week: rate between 0 and 1, or None})]. Rates are clamped to
    0–100 %. One <rect class="bar"> per rate that is not None.
    """
    width, top, plot_h, left, right = WIDE, 14, 150, 42, 10
    plot_w = width - left - right
    bottom = top + plot_h
    svg = Svg(width, bottom + 62, title)
    _y_grid(svg, left, plot_w, top, plot_h, 100, 4, lambda v: f"{round(v)}%")
    slot = _week_axis(svg, weeks, left, plot_w, bottom + 4, caption)
    group_w = min(slot * 0.8, 36)
    bar_w = group_w / max(len(series), 1)
    for i, week in enumerate(weeks):
        x0 = left + slot * (i + 0.5) - group_w / 2
        for k, (label, colour, rates) in enumerate(series):
            rate = rates.get(week)
            if rate is None:
                continue
            rate = min(max(rate, 0), 1)
            h = plot_h * rate
            text = f"{round(rate * 100)}%"
            svg.rect(
                x0 + bar_w * k,
                bottom - h,
                bar_w - 1,
                h,
                colour,
                cls="bar",
                tip=tip(week, label, text) if tip else f"{week} · {label}: {text}",
            )
    end = svg.legend(
        [(label, colour) for label, colour, _r in series], left, bottom + 48, right=width - right
    )
    svg.height = end + 8
    return svg.render()


def hbars(items, *, title, colour="#3d6fb6", width=420):
    """Horizontal bars, one per (label, value); a value of None is suppressed: no bar, "<3".

    One <rect class="bar"> per value that is not None (a zero draws a bar of no width).
    """
    size, row_h = 11, 22
    left = min(max((text_width(label, size) for label, _v in items), default=40) + 10, width * 0.5)
    right, top = 40, 6
    plot_w = width - left - right
    svg = Svg(width, top + row_h * len(items) + 6, title)
    top_value = max((v for _l, v in items if v), default=0) or 1
    for n, (label, value) in enumerate(items):
        y = top + row_h * n
        svg.text(left - 8, y + row_h / 2 + 4, label, size=size, anchor="end")
        if value is None:
            svg.text(left + 4, y + row_h / 2 + 4, SUPPRESSED, size=size, fill=MUTED)
            continue
        w = plot_w * value / top_value
        svg.rect(left, y + 4, w, row_h - 8, colour, cls="bar", tip=f"{label}: {value}")
        svg.text(left + w + 5, y + row_h / 2 + 4, value, size=size, fill=TEXT)
    svg.line(left, top, left, top + row_h * len(items), stroke=MUTED)
    return svg.render()
