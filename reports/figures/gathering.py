"""gather(school, semester): every app's part of the semester's figures, put together."""

import importlib
import importlib.util

from reports.figures.base import (
    KEYS,
    TABLE_NAMES,
    Figure,
    FigureSet,
    make_figure,
)

CONSULTATIONS_MODULE = "consultations.figures"


def consultation_figures(school, semester):
    """The consultation room's section, when its module exists (it lands separately)."""
    if importlib.util.find_spec(CONSULTATIONS_MODULE) is None:
        return []
    module = importlib.import_module(CONSULTATIONS_MODULE)
    result = []
    for item in module.semester_figures(school, semester) or []:
        data = dict(item) if not isinstance(item, Figure) else item.__dict__.copy()
        data.setdefault("section", "consultations")
        data["label"] = str(data.get("label", data["key"]))
        data["unit"] = str(data.get("unit", ""))
        allowed = Figure.__dataclass_fields__
        result.append(Figure(**{k: v for k, v in data.items() if k in allowed}))
    return result


def gather(school, semester):
    """The FigureSet of one school's semester."""
    values = {key: (None if KEYS[key][1] == "%" else 0) for key in KEYS}
    figures = {key: make_figure(key, value) for key, value in values.items()}
    for figure in consultation_figures(school, semester):
        figures[figure.key] = figure
    return FigureSet(
        school_id=school.pk,
        semester_id=semester.pk,
        figures=figures,
        tables={name: [] for name in TABLE_NAMES},
        charts={
            "weather_by_week": {"weeks": [], "weather": [1, 2, 3, 4, 5], "counts": []},
            "filing_by_week": {"weeks": [], "completeness": [], "timeliness": []},
            "attendance_by_department": {"labels": [], "values": []},
        },
    )
