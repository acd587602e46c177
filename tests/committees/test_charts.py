"""The server-drawn SVG charts: well-formed, accessible, escaped, a bar per value, the CJK
font named on the <svg> and on every text; and the small-count filter."""

import xml.etree.ElementTree as ET

import pytest

from committees.barometer.models import WEATHER_COLOURS
from committees.board import charts
from committees.board.queries import suppress
from counseling.templatetags.portal import percent, small_count

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {1: "晴", 2: "多云", 3: "阴", 4: "雨", 5: "雷暴"}
EVIL = "<script>alert(\"x\")</script> & 'quotes'"


def parse(markup):
    root = ET.fromstring(markup)  # raises on anything not well-formed
    assert root.tag == f"{SVG}svg"
    return root


def bars(root):
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


def check_accessible(root, title):
    assert root.get("role") == "img"
    assert root.get("aria-label") == title
    assert root.find(f"{SVG}title").text == title
    assert "Noto Sans CJK SC" in root.get("font-family")
    texts = list(root.iter(f"{SVG}text"))
    assert texts
    for text in texts:
        assert text.get("font-family") == charts.FONT_FAMILY


class TestWeatherByWeek:
    def draw(self, weather, shaded=(), title="天气"):
        return charts.weather_by_week(
            list(range(1, 14)),
            weather,
            labels=LABELS,
            colours=WEATHER_COLOURS,
            title=title,
            shaded=set(shaded),
            caption="周",
        )

    def test_a_point_per_week_filed_and_lines_between_consecutive_weeks(self):
        root = parse(self.draw({1: 1, 2: 2, 3: 1, 4: 3, 6: 4, 7: 5, 9: 2}, shaded={5}))
        points = [e for e in root.iter(f"{SVG}circle") if e.get("class") == "point"]
        assert len(points) == 7
        assert [p.get("fill") for p in points[:2]] == [WEATHER_COLOURS[1], WEATHER_COLOURS[2]]
        # Weeks 1-4 and 6-7 are runs; week 9 stands alone: two lines.
        assert len(list(root.iter(f"{SVG}polyline"))) == 2
        assert len([e for e in root.iter(f"{SVG}rect") if e.get("class") == "shade"]) == 1

    def test_worse_weather_is_lower(self):
        root = parse(self.draw({1: 1, 2: 5}))
        sunny, storm = [float(p.get("cy")) for p in root.iter(f"{SVG}circle") if p.get("class")]
        assert storm > sunny

    def test_accessible_and_escaped(self):
        markup = self.draw({1: 1}, title=EVIL)
        root = parse(markup)
        check_accessible(root, EVIL)
        assert "<script>" not in markup

    def test_empty(self):
        root = parse(self.draw({}))
        assert not [e for e in root.iter(f"{SVG}circle") if e.get("class") == "point"]


class TestWeatherDistribution:
    def draw(self, distribution, note=""):
        return charts.weather_distribution(
            [1, 2, 3, 4],
            distribution,
            labels=LABELS,
            colours=WEATHER_COLOURS,
            title="分布",
            note=note,
        )

    def test_a_segment_per_non_zero_count(self):
        root = parse(self.draw({1: {1: 30, 2: 20, 3: 6}, 2: {1: 10, 5: 1}, 4: {4: 0}}))
        segments = bars(root)
        assert len(segments) == 5
        assert {s.get("fill") for s in segments} == {WEATHER_COLOURS[w] for w in (1, 2, 3, 5)}
        check_accessible(root, "分布")

    def test_stacks_are_proportional(self):
        root = parse(self.draw({1: {1: 30, 2: 10}}))
        first, second = bars(root)
        assert float(first.get("height")) == pytest.approx(3 * float(second.get("height")), 0.02)
        # Stacked: the second sits on top of the first.
        assert float(second.get("y")) + float(second.get("height")) == pytest.approx(
            float(first.get("y")), abs=0.2
        )

    def test_suppressed_counts_are_not_drawn(self):
        data = {1: {1: 30, 5: 1}, 2: {1: 2, 2: 12}}
        shown = suppress(data, exact=False)
        assert shown == {1: {1: 30, 5: None}, 2: {1: None, 2: 12}}
        markup = self.draw(shown, note="少于3的数不画出。")
        root = parse(markup)
        assert len(bars(root)) == 2
        assert "少于3的数不画出。" in markup
        assert len(bars(parse(self.draw(suppress(data, exact=True))))) == 4


class TestPercentBars:
    def draw(self, series):
        return charts.percent_bars([1, 2, 3, 4, 5], series, title="完整率与及时率")

    def test_a_bar_per_rate(self):
        root = parse(
            self.draw(
                [
                    ("完整率", "#198754", {1: 1.0, 2: 0.5, 3: 0.9, 4: 0.0}),
                    ("及时率", "#0d6efd", {1: 0.8, 2: None, 3: 0.7}),
                ]
            )
        )
        assert len(bars(root)) == 6
        check_accessible(root, "完整率与及时率")

    def test_never_above_100_percent(self):
        root = parse(self.draw([("完整率", "#198754", {1: 1.0, 2: 1.7, 3: -0.2})]))
        full, over, under = bars(root)
        assert float(over.get("height")) == float(full.get("height"))
        assert float(over.get("y")) == float(full.get("y"))
        assert float(under.get("height")) == 0


class TestHorizontalBars:
    def test_a_bar_per_kind_and_suppressed_ones_say_less_than_three(self):
        items = [("学习压力", 12), ("人际关系", 0), ("家庭", None), (EVIL, 3)]
        markup = charts.hbars(items, title="关注类型")
        root = parse(markup)
        assert len(bars(root)) == 3
        texts = [t.text for t in root.iter(f"{SVG}text")]
        assert "<3" in texts
        assert EVIL in texts
        assert "<script>" not in markup
        check_accessible(root, "关注类型")
        widths = [float(b.get("width")) for b in bars(root)]
        assert widths[0] > widths[2] > widths[1] == 0

    def test_nothing_at_all(self):
        root = parse(charts.hbars([("学习压力", 0)], title="空"))
        assert len(bars(root)) == 1


class TestFilters:
    @pytest.mark.parametrize(
        "count, exact, shown",
        [(0, False, 0), (1, False, "<3"), (2, False, "<3"), (3, False, 3), (250, False, 250)],
    )
    def test_small_count_for_non_counselors(self, count, exact, shown):
        assert small_count(count, exact) == shown

    @pytest.mark.parametrize("count", [0, 1, 2, 3])
    def test_small_count_exact_for_counselors(self, count):
        assert small_count(count, True) == count

    def test_small_count_fails_closed_without_an_argument(self):
        assert small_count(1) == "<3"
        assert small_count(None) is None

    def test_percent(self):
        assert percent(0.857) == "86%"
        assert percent(1) == "100%"
        assert percent(None) == "—"


def test_charts_lay_out_in_weasyprint_on_one_page():
    """The same markup goes into the PDF report: four charts fit on one A4 page."""
    weasyprint = pytest.importorskip("weasyprint")
    markup = "".join(
        [
            charts.weather_by_week(
                [1, 2, 3], {1: 1, 2: 5}, labels=LABELS, colours=WEATHER_COLOURS, title="天气"
            ),
            charts.weather_distribution(
                [1, 2], {1: {1: 3}}, labels=LABELS, colours=WEATHER_COLOURS, title="分布"
            ),
            charts.percent_bars([1, 2], [("完整率", "#198754", {1: 0.5})], title="率"),
            charts.hbars([("学习压力", 2)], title="关注"),
        ]
    )
    document = weasyprint.HTML(string=f"<html><body>{markup}</body></html>").render()
    assert len(document.pages) == 1
