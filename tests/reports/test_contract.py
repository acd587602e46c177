"""The figures contract: display and suppression rules, snapshots, every key present."""

import json

from reports.figures import KEYS, SECTIONS, Figure, FigureSet
from reports.figures.base import make_figure


def _figure(value, **kwargs):
    return Figure(key="barometer.concerns", label="x", value=value, **kwargs)


def test_small_sensitive_count_below_school_is_suppressed_for_non_counselors():
    figure = _figure(2, sensitive=True, scope="department")
    assert figure.display(counselor=False) == "<3"
    assert figure.display(counselor=True) == "2"
    assert figure.value == 2


def test_suppression_needs_all_three_conditions():
    assert _figure(2, sensitive=True, scope="school").display(counselor=False) == "2"
    assert _figure(2, sensitive=False, scope="class").display(counselor=False) == "2"
    assert _figure(3, sensitive=True, scope="class").display(counselor=False) == "3"
    assert _figure(0, sensitive=True, scope="class").display(counselor=False) == "0"


def test_percent_and_missing_values():
    assert _figure(87.25, unit="%").display(counselor=False) == "87.2"
    assert _figure(87.25, unit="%").text(counselor=False) == "87.2%"
    assert _figure(None, unit="%").text(counselor=False) == "—"
    assert _figure(12, unit="场").text(counselor=False) == "12场"


def test_every_key_belongs_to_a_section():
    for key in KEYS:
        assert key.split(".")[0] in SECTIONS
        assert make_figure(key, 1).section in SECTIONS


def test_snapshot_round_trip_is_json_and_identical():
    figures = FigureSet(
        school_id=1,
        semester_id=2,
        figures={"barometer.concerns": make_figure("barometer.concerns", 2, scope="department")},
        tables={"barometer_by_department": [{"department": "机电", "concerns": 1, "alerts": 4}]},
        charts={"attendance_by_department": {"labels": ["机电"], "values": [80]}},
    )
    data = json.loads(json.dumps(figures.as_snapshot()))
    frozen = FigureSet.from_snapshot(data)
    assert frozen.as_snapshot() == figures.as_snapshot()
    assert frozen["barometer.concerns"].display(counselor=False) == "<3"
    rows = frozen.display_rows("barometer_by_department", counselor=False)
    assert rows == [{"department": "机电", "concerns": "<3", "alerts": "4"}]
    rows = frozen.display_rows("barometer_by_department", counselor=True)
    assert rows[0]["concerns"] == "1"
